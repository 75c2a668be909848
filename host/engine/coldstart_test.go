package engine

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// rootEntries names what a cache root holds, sorted.
func rootEntries(t *testing.T, root string) []string {
	t.Helper()
	des, err := os.ReadDir(root)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, d := range des {
		names = append(names, d.Name())
	}
	slices.Sort(names)
	return names
}

// entryName is the one complete entry a filled root holds besides its lock.
func entryName(t *testing.T) string {
	t.Helper()
	return cacheFor(Options{CacheDir: t.TempDir()}, nil).key
}

// A command that finds no compiled code runs interpreted and asks for the
// cache to be filled; after FillCache, the next one finds native code and
// asks for nothing. This is the CLI's cold start, minus the child process.
func TestColdStartInterpretsThenFindsNativeCode(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	misses := 0
	opts := Options{CacheDir: dir, OnMiss: func() { misses++ }}

	rt, err := New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !rt.Interpreted() || misses != 1 {
		t.Fatalf("empty cache: interpreted=%v, OnMiss called %d times; want interpreted, once", rt.Interpreted(), misses)
	}
	usable(t, rt)
	rt.Close(ctx)
	if got := rootEntries(t, dir); slices.ContainsFunc(got, func(n string) bool { return n != fillLockName }) {
		t.Fatalf("an interpreted run wrote to the cache: %q", got)
	}

	var filling []bool
	if err := FillCache(ctx, opts, func(f bool) { filling = append(filling, f) }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(filling, []bool{true}) {
		t.Fatalf("ready reported %v, want [true]", filling)
	}
	if got, want := rootEntries(t, dir), []string{entryName(t), fillLockName}; !slices.Equal(got, want) {
		t.Fatalf("after FillCache the root holds %q, want %q", got, want)
	}

	rt, err = New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	if rt.Interpreted() || misses != 1 {
		t.Fatalf("filled cache: interpreted=%v, OnMiss called %d times in all; want native code, no new call", rt.Interpreted(), misses)
	}
	usable(t, rt)

	// A second filler finds the entry and does nothing.
	filling = nil
	if err := FillCache(ctx, opts, func(f bool) { filling = append(filling, f) }); err != nil || !slices.Equal(filling, []bool{false}) {
		t.Fatalf("FillCache on a filled cache: err %v, ready %v; want nil, [false]", err, filling)
	}
}

// While one process holds the fill lock, another neither starts a second
// filler (OnMiss is not called) nor fills itself: single flight.
func TestFillIsSingleFlight(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	c := cacheFor(Options{CacheDir: dir}, nil)
	if err := c.usable(); err != nil {
		t.Fatal(err)
	}
	held := c.lock()
	if ok, err := held.TryLock(); err != nil || !ok {
		t.Fatalf("taking the fill lock: %v %v", ok, err)
	}
	defer held.Unlock()

	misses := 0
	rt, err := New(ctx, Options{CacheDir: dir, OnMiss: func() { misses++ }})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	if !rt.Interpreted() || misses != 0 {
		t.Fatalf("interpreted=%v, OnMiss called %d times while another process fills; want interpreted, never", rt.Interpreted(), misses)
	}
	var filling []bool
	if err := FillCache(ctx, Options{CacheDir: dir}, func(f bool) { filling = append(filling, f) }); err != nil || !slices.Equal(filling, []bool{false}) {
		t.Fatalf("a second filler: err %v, ready %v; want nil, [false]", err, filling)
	}
	if got := rootEntries(t, dir); !slices.Equal(got, []string{fillLockName}) {
		t.Fatalf("a second filler wrote %q", got)
	}
}

// The cache's publish is atomic: a filler killed (SIGKILL, no clean-up)
// after writing every file and before the rename leaves no entry, only a
// temporary directory that no reader takes for an entry and the next
// filler removes before publishing a complete one.
func TestFillerKilledBeforePublishLeavesNoEntry(t *testing.T) {
	if dir := os.Getenv("WASMLOGIN_TEST_FILLER_DIR"); dir != "" {
		beforePublish = func(tmp string) {
			os.Stdout.WriteString("written " + tmp + "\n")
			select {} // until killed
		}
		FillCache(context.Background(), Options{CacheDir: dir}, nil)
		t.Fatal("the filler published although it was to be killed first")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestFillerKilledBeforePublishLeavesNoEntry$")
	cmd.Env = append(os.Environ(), "WASMLOGIN_TEST_FILLER_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the filler never reached its publish: %v", err)
	}
	tmp := strings.TrimSpace(strings.TrimPrefix(line, "written "))
	// The moment before the rename: the files are all there, the entry is not.
	if files := countFiles(t, tmp); files == 0 {
		t.Errorf("the filler's temporary directory %s holds no files", tmp)
	}
	if got := rootEntries(t, dir); slices.Contains(got, entryName(t)) {
		t.Errorf("the entry is visible before the filler published it: %q", got)
	}
	cmd.Process.Kill()
	cmd.Wait()

	left := rootEntries(t, dir)
	if !slices.Contains(left, filepath.Base(tmp)) || slices.Contains(left, entryName(t)) {
		t.Fatalf("after the kill the root holds %q; want the temporary directory and no entry", left)
	}
	ctx := context.Background()
	misses := 0
	var warnings []string
	opts := Options{CacheDir: dir, OnMiss: func() { misses++ }, Warn: func(m string) { warnings = append(warnings, m) }}
	rt, err := New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !rt.Interpreted() || misses != 1 || len(warnings) != 0 {
		t.Fatalf("a root with only a temporary directory: interpreted=%v, OnMiss %d, warnings %q; want a plain miss",
			rt.Interpreted(), misses, warnings)
	}
	rt.Close(ctx)
	if err := FillCache(ctx, opts, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := rootEntries(t, dir), []string{entryName(t), fillLockName}; !slices.Equal(got, want) {
		t.Fatalf("the next fill left %q, want %q (the dead filler's directory removed)", got, want)
	}
	rt, err = New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	if rt.Interpreted() {
		t.Fatal("the published entry was not used")
	}
	usable(t, rt)
}

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}
