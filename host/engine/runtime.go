// Package engine loads the flow plugin into wazero (through Extism's Go SDK)
// and wires its host functions to the Services a host lends it. It decides
// nothing about OAuth: every flow decision is the plugin's.
package engine

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	extism "github.com/extism/go-sdk"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/wasmlogin/wasmlogin/host/internal/wasm"
)

// Options tune the runtime. The zero value is what the CLI uses.
type Options struct {
	// CacheDir holds compiled native code, keyed by the plugin's hash.
	// Empty means the user's cache directory; "-" disables the file cache.
	CacheDir string
	// CallTimeout bounds one export call (HTTP inside it included).
	CallTimeout time.Duration
	// MaxMemoryPages caps guest memory (64 KiB pages).
	MaxMemoryPages uint32
	// Warn receives one-line warnings (for example an unusable cache).
	Warn func(string)
	// Module replaces the embedded plugin (tests of other builds).
	Module []byte
}

// Runtime is the compiled plugin. It is safe for concurrent use; its
// Instances are not.
type Runtime struct {
	compiled *extism.CompiledPlugin
	cache    wazero.CompilationCache
}

// New compiles the plugin, or loads its native code from the cache.
func New(ctx context.Context, opts Options) (*Runtime, error) {
	module := opts.Module
	if module == nil {
		module = wasm.Module
	}
	if opts.CallTimeout == 0 {
		opts.CallTimeout = 2 * time.Minute
	}
	if opts.MaxMemoryPages == 0 {
		opts.MaxMemoryPages = 1024 // 64 MiB
	}
	dir := cacheDir(opts, module)
	r, err := compile(ctx, opts, module, dir)
	if err != nil && dir != "" {
		// A damaged cache must not lock the user out: discard it and compile
		// afresh (the next run caches the new code).
		warn(opts, fmt.Sprintf("compilation cache %s is damaged; rebuilding it", dir))
		os.RemoveAll(dir)
		r, err = compile(ctx, opts, module, dir)
	}
	return r, err
}

func compile(ctx context.Context, opts Options, module []byte, dir string) (*Runtime, error) {
	// Reserving the capped memory up front (virtual, not resident) spares a
	// copy of the whole guest heap each time Go's runtime grows it: that
	// copying was a third of a warm `token`.
	rc := wazero.NewRuntimeConfig().WithMemoryCapacityFromMax(true)
	r := &Runtime{}
	if cache := openCache(opts, dir); cache != nil {
		r.cache = cache
		rc = rc.WithCompilationCache(cache)
	}
	manifest := extism.Manifest{
		Wasm:    []extism.Wasm{extism.WasmData{Data: module, Name: "main"}},
		Memory:  &extism.ManifestMemory{MaxPages: opts.MaxMemoryPages, MaxHttpResponseBytes: -1, MaxVarBytes: -1},
		Timeout: uint64(opts.CallTimeout.Milliseconds()),
	}
	// A cold start compiles the whole module; spread it over every core.
	ctx = experimental.WithCompilationWorkers(ctx, runtime.GOMAXPROCS(0))
	compiled, err := extism.NewCompiledPlugin(ctx, manifest,
		extism.PluginConfig{EnableWasi: true, RuntimeConfig: rc}, hostFunctions())
	if err != nil {
		r.closeCache(ctx)
		return nil, fmt.Errorf("loading the flow plugin: %w", err)
	}
	r.compiled = compiled
	return r, nil
}

// cacheDir is where compiled code for this module lives: keyed by the
// module's hash, so a new plugin never runs stale native code. "" means no
// file cache.
func cacheDir(opts Options, module []byte) string {
	if opts.CacheDir == "-" {
		return ""
	}
	dir := opts.CacheDir
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(base, "wasmlogin", "wazero")
	}
	key := wasm.Hash()[:16] // the embedded plugin's, hashed once per process
	if opts.Module != nil {
		sum := sha256.Sum256(module)
		key = hex.EncodeToString(sum[:8])
	}
	return filepath.Join(dir, key)
}

// openCache returns a file-backed compilation cache, or nil (compile in
// memory) with a one-line warning when the directory cannot be used.
func openCache(opts Options, dir string) wazero.CompilationCache {
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		warn(opts, fmt.Sprintf("compilation cache %s unusable (%v); compiling in memory", dir, err))
		return nil
	}
	cache, err := wazero.NewCompilationCacheWithDir(dir)
	if err != nil {
		warn(opts, fmt.Sprintf("compilation cache %s unusable (%v); compiling in memory", dir, err))
		return nil
	}
	return cache
}

func warn(opts Options, msg string) {
	if opts.Warn != nil {
		opts.Warn(msg)
	}
}

// Close releases the compiled code and the cache handle.
func (r *Runtime) Close(ctx context.Context) error {
	err := r.compiled.Close(ctx)
	r.closeCache(ctx)
	return err
}

func (r *Runtime) closeCache(ctx context.Context) {
	if r.cache != nil {
		r.cache.Close(ctx)
	}
}

// moduleConfig wires WASI's clock and randomness to the OS. wazero's
// defaults are a fixed fake clock and a deterministic random source: with
// them every run would produce the same PKCE verifier and state.
func moduleConfig() wazero.ModuleConfig {
	return wazero.NewModuleConfig().
		WithSysWalltime().WithSysNanotime().WithSysNanosleep().
		WithRandSource(rand.Reader)
}
