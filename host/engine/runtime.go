// Package engine loads the flow plugin into wazero (through Extism's Go SDK)
// and wires its host functions to the Services a host lends it. It decides
// nothing about OAuth: every flow decision is the plugin's.
package engine

import (
	"context"
	"crypto/rand"
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

// Options tune the runtime. The zero value is what long-lived embedders
// want: the first New compiles the plugin and caches the native code.
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
	// OnMiss, when set, changes what a cache miss costs. Compiling this
	// module takes most of a second on two cores; wazero's interpreter is
	// ready about four times sooner and runs calls about three times
	// slower, the better trade for one short command. So New starts the
	// plugin interpreted and calls OnMiss first, unless another process is
	// filling the cache already, for the caller to have FillCache run
	// elsewhere (the CLI starts itself in the background) so that the next
	// process finds native code. Without OnMiss, New compiles and caches.
	OnMiss func()
}

// Runtime is the loaded plugin. It is safe for concurrent use; its
// Instances are not.
type Runtime struct {
	compiled    *extism.CompiledPlugin
	cache       wazero.CompilationCache
	interpreted bool
}

// New loads the plugin's native code from the cache, or compiles it (see
// Options.OnMiss for the alternative).
func New(ctx context.Context, opts Options) (*Runtime, error) {
	opts, module := withDefaults(opts)
	c := cacheFor(opts, module)
	if c != nil {
		if err := c.usable(); err != nil {
			warn(opts, fmt.Sprintf("compilation cache %s unusable (%v); compiling in memory", c.root, err))
			c = nil
		}
	}
	if c == nil {
		return build(ctx, opts, module, native, "")
	}
	if c.present() {
		r, err := build(ctx, opts, module, native, c.entry)
		if err == nil {
			return r, nil
		}
		// A damaged cache must not lock the user out: discard it and
		// compile afresh (or let the filler do it).
		warn(opts, fmt.Sprintf("compilation cache %s is damaged; rebuilding it", c.entry))
		c.discard()
	}
	if opts.OnMiss != nil {
		if !c.filling() {
			opts.OnMiss()
		}
		return build(ctx, opts, module, interpreted, "")
	}
	l, err := c.waitAndLock(ctx)
	if err != nil {
		return nil, err
	}
	defer l.Unlock()
	if c.present() { // another process filled it while this one waited
		if r, err := build(ctx, opts, module, native, c.entry); err == nil {
			return r, nil
		}
		c.discard()
	}
	return c.fill(func(dir string) (*Runtime, error) { return build(ctx, opts, module, native, dir) })
}

// FillCache compiles the plugin into the cache, unless its entry is there
// already or another process is filling it. ready, if set, is called once
// that is decided (filling reports which), before the compilation starts,
// so a parent process can know a background filler holds the lock.
func FillCache(ctx context.Context, opts Options, ready func(filling bool)) error {
	if ready == nil {
		ready = func(bool) {}
	}
	opts, module := withDefaults(opts)
	c := cacheFor(opts, module)
	if c == nil {
		ready(false)
		return nil
	}
	if err := c.usable(); err != nil {
		ready(false)
		return err
	}
	l := c.lock()
	if ok, err := l.TryLock(); err != nil || !ok {
		ready(false)
		return err
	}
	defer l.Unlock()
	if c.present() {
		ready(false)
		return nil
	}
	ready(true)
	r, err := c.fill(func(dir string) (*Runtime, error) { return build(ctx, opts, module, native, dir) })
	if err != nil {
		return err
	}
	return r.Close(ctx)
}

// WaitForFill returns once no process is filling the cache: a background
// filler started on a miss has then published its entry, or given up.
func WaitForFill(ctx context.Context, opts Options) error {
	opts, module := withDefaults(opts)
	c := cacheFor(opts, module)
	if c == nil {
		return nil
	}
	if _, err := os.Stat(filepath.Join(c.root, fillLockName)); err != nil {
		return nil // no filler ever ran here; create nothing
	}
	l, err := c.waitAndLock(ctx)
	if err != nil {
		return err
	}
	return l.Unlock()
}

// Interpreted reports whether the plugin runs on wazero's interpreter,
// because the cache had no native code for it and Options.OnMiss was set.
func (r *Runtime) Interpreted() bool { return r.interpreted }

func withDefaults(opts Options) (Options, []byte) {
	if opts.CallTimeout == 0 {
		opts.CallTimeout = 2 * time.Minute
	}
	if opts.MaxMemoryPages == 0 {
		opts.MaxMemoryPages = 1024 // 64 MiB
	}
	module := opts.Module
	if module == nil {
		module = wasm.Module
	}
	return opts, module
}

type engineKind bool

const (
	native      engineKind = false // wazero's optimizing compiler
	interpreted engineKind = true
)

// build loads the module with the given engine; dir, if set, is the file
// cache the compiler reads native code from and writes it to.
func build(ctx context.Context, opts Options, module []byte, kind engineKind, dir string) (*Runtime, error) {
	rc := wazero.NewRuntimeConfig()
	if kind == interpreted {
		rc = wazero.NewRuntimeConfigInterpreter()
	}
	// Reserving the capped memory up front (virtual, not resident) spares a
	// copy of the whole guest heap each time Go's runtime grows it: that
	// copying was a third of a warm `token`.
	rc = rc.WithMemoryCapacityFromMax(true)
	r := &Runtime{interpreted: kind == interpreted}
	if dir != "" {
		cache, err := wazero.NewCompilationCacheWithDir(dir)
		if err != nil {
			return nil, fmt.Errorf("opening the compilation cache: %w", err)
		}
		r.cache = cache
		rc = rc.WithCompilationCache(cache)
	}
	manifest := extism.Manifest{
		Wasm:    []extism.Wasm{extism.WasmData{Data: module, Name: "main"}},
		Memory:  &extism.ManifestMemory{MaxPages: opts.MaxMemoryPages, MaxHttpResponseBytes: -1, MaxVarBytes: -1},
		Timeout: uint64(opts.CallTimeout.Milliseconds()),
	}
	// A compilation spreads over every core.
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
