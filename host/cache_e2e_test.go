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
// runs the plugin (interpreted, while one background filler compiles it)
// and succeeds, none warns about a damaged cache, and the cache left behind
// serves the next process. status is used because it always loads the
// plugin; token would be served from the store. (w.run waits for the
// filler after each process.)
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
	onlyEntry(t, cache) // one complete entry, no filler's leftovers
	before := cacheFiles(t, cache)
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

// The first command after an install finds no compiled plugin: it runs the
// plugin interpreted and leaves one background process compiling it; the
// next command finds the native code. A damaged entry is discarded with
// one warning and rebuilt the same way.
func TestColdCommandInterpretsAndNextFindsNativeCode(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.autobrowser)
	w.login()
	cache := filepath.Join(t.TempDir(), "cache")
	w.env = append(w.env, "WASMLOGIN_CACHE_DIR="+cache, "WASMLOGIN_TIMING=1")

	cold := w.must("status") // returns once the filler has finished
	if !strings.Contains(cold.stderr, "load plugin (interpreted)") || strings.Contains(cold.stderr, "warning") {
		t.Fatalf("the first command on an empty cache did not run interpreted:\n%s", cold.stderr)
	}
	entry := onlyEntry(t, cache)
	warm := w.must("status")
	if strings.Contains(warm.stderr, "interpreted") || !strings.Contains(warm.stderr, "load plugin") || strings.Contains(warm.stderr, "warning") {
		t.Fatalf("the next command did not load the filled cache:\n%s", warm.stderr)
	}

	filepath.WalkDir(entry, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			os.WriteFile(p, []byte("not compiled code"), 0o600)
		}
		return nil
	})
	damaged := w.must("status")
	if !strings.Contains(damaged.stderr, "damaged") || !strings.Contains(damaged.stderr, "load plugin (interpreted)") {
		t.Fatalf("a damaged cache was not discarded with a warning:\n%s", damaged.stderr)
	}
	onlyEntry(t, cache)
	if r := w.must("status"); strings.Contains(r.stderr, "interpreted") || strings.Contains(r.stderr, "warning") {
		t.Fatalf("the rebuilt cache was not used:\n%s", r.stderr)
	}
}

// onlyEntry returns the cache's one entry: a directory holding compiled
// code, beside the fill lock and nothing else (no temporary directory).
func onlyEntry(t *testing.T, cache string) string {
	t.Helper()
	des, err := os.ReadDir(cache)
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, d := range des {
		if d.IsDir() {
			dirs = append(dirs, d.Name())
		}
	}
	if len(dirs) != 1 || strings.Contains(dirs[0], ".tmp-") {
		t.Fatalf("the cache holds directories %q; want one complete entry", dirs)
	}
	entry := filepath.Join(cache, dirs[0])
	if len(cacheFiles(t, entry)) == 0 {
		t.Fatalf("the cache entry %s holds no compiled code", entry)
	}
	return entry
}
