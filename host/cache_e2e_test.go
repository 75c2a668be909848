package main

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/wasmlogin/wasmlogin/internal/testop"
)

// 20 real processes start at once on an empty compilation cache, as when a
// shell script fans out kubectl calls right after an upgrade: every one
// compiles (or finds) the plugin and succeeds, none warns about a damaged
// cache, and the cache they leave behind serves the next process. status
// is used because it always loads the plugin; token would be served from
// the store.
func TestConcurrentColdStartProcesses(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.autobrowser)
	w.login()
	cache := filepath.Join(t.TempDir(), "cache")
	w.env = append(w.env, "WASMLOGIN_CACHE_DIR="+cache)

	const n = 20
	out := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); out[i] = w.run("status") }()
	}
	wg.Wait()
	for i, r := range out {
		if r.code != 0 || !strings.Contains(r.stdout, "Subject:  id1") || strings.Contains(r.stderr, "warning") {
			t.Fatalf("process %d: exit %d\nstdout: %s\nstderr: %s", i, r.code, r.stdout, r.stderr)
		}
	}
	before := cacheFiles(t, cache)
	if len(before) == 0 {
		t.Fatal("no compilation cache was left behind")
	}
	if r := w.must("status"); strings.Contains(r.stderr, "warning") {
		t.Fatalf("the cache written by 20 racing processes is not usable: %s", r.stderr)
	}
	after := cacheFiles(t, cache)
	for name, mod := range after {
		if before[name] != mod {
			t.Fatalf("the next process compiled again (%s rewritten) instead of loading the cache", name)
		}
	}
}

// cacheFiles maps each file under dir to its modification time.
func cacheFiles(t *testing.T, dir string) map[string]string {
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			files[path] = info.ModTime().String()
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
