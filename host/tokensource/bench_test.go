package tokensource_test

import (
	"context"
	"os"
	"testing"

	"github.com/wasmlogin/wasmlogin/host/tokensource"
)

// A warm Token call: the stored token is fresh, the plugin answers from the
// store, and the call still holds the profile lock. Parallel callers queue
// on that lock; the benchmark shows what that costs.
func BenchmarkWarmToken(b *testing.B) {
	op, dir, store := signedIn()
	b.Cleanup(func() { op.Close(); os.RemoveAll(dir) })
	src, err := tokensource.New(context.Background(), tokensource.Options{Profile: "example", ConfigDir: dir, Store: store})
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	if _, err := src.Token(); err != nil { // the first instance
		b.Fatal(err)
	}
	b.Run("serial", func(b *testing.B) {
		for b.Loop() {
			if _, err := src.Token(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := src.Token(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
