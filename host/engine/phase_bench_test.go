package engine

import (
	"context"
	"testing"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// Phases of a warm `token` inside the process: loading compiled code from
// the cache, instantiating, the guest runtime's first call (Go's
// _initialize), and a steady-state call.

func BenchmarkLoadFromWarmCache(b *testing.B) {
	dir := b.TempDir()
	ctx := context.Background()
	rt, err := New(ctx, Options{CacheDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	rt.Close(ctx)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rt, err := New(ctx, Options{CacheDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		rt.Close(ctx)
	}
}

func BenchmarkInstantiateAndFirstCall(b *testing.B) {
	ctx := context.Background()
	rt, err := New(ctx, Options{CacheDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer rt.Close(ctx)
	s := &Services{Secrets: &mapStore{m: map[string]string{}}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		inst, err := rt.Instance(ctx, s)
		if err != nil {
			b.Fatal(err)
		}
		inst.Status(ctx, api.ProfileRef{Profile: "none"})
		inst.Close(ctx)
	}
}

func BenchmarkSteadyCall(b *testing.B) {
	ctx := context.Background()
	rt, err := New(ctx, Options{CacheDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer rt.Close(ctx)
	inst, err := rt.Instance(ctx, &Services{Secrets: &mapStore{m: map[string]string{}}})
	if err != nil {
		b.Fatal(err)
	}
	inst.Status(ctx, api.ProfileRef{Profile: "none"})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		inst.Status(ctx, api.ProfileRef{Profile: "none"})
	}
}
