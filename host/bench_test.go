package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/internal/testop"
)

// Whole-process figures for `token` with a valid stored token: what a
// credential helper costs before every kubectl, git or curl call. Each
// iteration starts the real binary; ns/op is wall time per call and
// peak-RSS-KB the largest resident set seen. A quick check from `go test`
// (-run '^$' -bench Token ./host); the reference figures are `make bench`
// (internal/bench), which measures the same with hyperfine beside a native
// baseline and no longer runs these.

func BenchmarkTokenWarmCache(b *testing.B) { benchToken(b, false) }

func BenchmarkTokenColdCache(b *testing.B) { benchToken(b, true) }

func benchToken(b *testing.B, cold bool) {
	op := testop.StartT(b, testop.Options{AccessTokenLifetime: time.Hour})
	w := newWorld(b, op, bins.autobrowser)
	w.login()
	cache := filepath.Join(b.TempDir(), "cache")
	w.env = append(w.env, "WASMLOGIN_CACHE_DIR="+cache)
	w.must("token") // fills the cache
	var peak int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if cold {
			b.StopTimer()
			os.RemoveAll(cache)
			b.StartTimer()
		}
		r, rss := w.runMeasured("token")
		if r.code != 0 {
			b.Fatalf("token: exit %d: %s", r.code, r.stderr)
		}
		peak = max(peak, rss)
	}
	b.ReportMetric(float64(peak), "peak-RSS-KB")
}

// runMeasured runs the host and reports its peak resident set in KiB.
func (w *world) runMeasured(args ...string) (result, int64) {
	r := w.run(args...)
	return r, w.lastRSS
}

func maxRSS(state *os.ProcessState) int64 {
	if ru, ok := state.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss // KiB on Linux
	}
	return 0
}
