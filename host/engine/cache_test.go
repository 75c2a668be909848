package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// usable proves a runtime works by running one export.
func usable(t *testing.T, rt *Runtime) {
	t.Helper()
	ctx := context.Background()
	inst, err := rt.Instance(ctx, &Services{Secrets: &mapStore{m: map[string]string{}}})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	if _, err := inst.Status(ctx, api.ProfileRef{Profile: "x"}); err == nil || !strings.Contains(err.Error(), "no sign-in") {
		t.Fatalf("the plugin did not answer: %v", err)
	}
}

// A damaged cache never breaks a command: wazero's cache detects it and
// the runtime compiles again.
func TestCorruptedCacheRecompiles(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	rt, err := New(ctx, Options{CacheDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	rt.Close(ctx)
	damaged := 0
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			damaged++
			os.WriteFile(p, []byte("not compiled code"), 0o600)
		}
		return nil
	})
	if damaged == 0 {
		t.Fatal("the cache directory holds no files: nothing was cached")
	}
	var warnings []string
	rt, err = New(ctx, Options{CacheDir: dir, Warn: func(m string) { warnings = append(warnings, m) }})
	if err != nil {
		t.Fatalf("a damaged cache broke loading: %v", err)
	}
	defer rt.Close(ctx)
	usable(t, rt)
	if len(warnings) != 1 || !strings.Contains(warnings[0], "damaged") {
		t.Fatalf("warnings %q, want one line saying the cache is damaged", warnings)
	}
}

// A cache directory that cannot be created falls back to compiling in
// memory, with one line of warning.
func TestUnusableCacheFallsBackWithWarning(t *testing.T) {
	blocker := filepath.Join(t.TempDir(), "file")
	os.WriteFile(blocker, nil, 0o600)
	var warnings []string
	ctx := context.Background()
	rt, err := New(ctx, Options{CacheDir: filepath.Join(blocker, "cache"), Warn: func(m string) { warnings = append(warnings, m) }})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	if len(warnings) != 1 || strings.Contains(warnings[0], "\n") || !strings.Contains(warnings[0], "compiling in memory") {
		t.Fatalf("warnings %q", warnings)
	}
	usable(t, rt)
}

// Many processes starting at once on an empty cache all succeed (goroutines
// with separate runtimes stand in for processes: each has its own cache handle).
func TestConcurrentColdStarts(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			rt, err := New(ctx, Options{CacheDir: dir})
			if err != nil {
				t.Error(err)
				return
			}
			defer rt.Close(ctx)
			usable(t, rt)
		}()
	}
	wg.Wait()
}
