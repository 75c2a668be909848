package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/gofrs/flock"
	"github.com/wasmlogin/wasmlogin/host/internal/wasm"
)

// compilationCache is the plugin's compiled code on disk. Each entry is a
// directory named for everything the code depends on (the module's hash
// and wazero's version), and it appears all at once: code is compiled into
// a temporary directory that is renamed into place when complete. A crash
// or kill at any point leaves either no entry or a whole one, plus perhaps
// a temporary directory that no reader ever opens and the next filler
// removes. Fillers take one lock per cache root, so concurrent processes
// compile once between them.
type compilationCache struct {
	root  string // the cache directory: entries, temporaries and the lock
	entry string // this module's entry (complete if it exists)
	key   string // the entry's name
}

// fillLockName is the lock file every filler holds while it compiles.
const fillLockName = "fill.lock"

// tempMarker names directories still being filled: never an entry.
const tempMarker = ".tmp-"

// cacheFor locates the cache for a module; nil means no file cache
// ("-", or no user cache directory).
func cacheFor(opts Options, module []byte) *compilationCache {
	if opts.CacheDir == "-" {
		return nil
	}
	root := opts.CacheDir
	if root == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return nil
		}
		root = filepath.Join(base, "wasmlogin", "wazero")
	}
	sum := wasm.Hash()[:16] // the embedded plugin's, hashed once per process
	if opts.Module != nil {
		h := sha256.Sum256(module)
		sum = hex.EncodeToString(h[:8])
	}
	// wazero keeps its own version subdirectory inside an entry; naming
	// the entry after it too means an upgraded wazero never finds an
	// entry that is complete for another version and compiles into it.
	key := sum + "-wazero-" + wazeroVersion()
	return &compilationCache{root: root, entry: filepath.Join(root, key), key: key}
}

// wazeroVersion is the wazero module this program was built with, as
// wazero itself reads it; "dev" when the build carries no module data.
func wazeroVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "github.com/tetratelabs/wazero" && dep.Version != "" && dep.Version != "(devel)" {
				return dep.Version
			}
		}
	}
	return "dev"
}

// usable creates the cache root; an error means no file cache at all.
func (c *compilationCache) usable() error { return os.MkdirAll(c.root, 0o700) }

// present reports whether the complete entry is there.
func (c *compilationCache) present() bool {
	fi, err := os.Stat(c.entry)
	return err == nil && fi.IsDir()
}

// discard removes a damaged entry. Another process may be loading it: on
// the platforms wazero compiles for, its open files stay readable.
func (c *compilationCache) discard() { os.RemoveAll(c.entry) }

func (c *compilationCache) lock() *flock.Flock {
	return flock.New(filepath.Join(c.root, fillLockName), flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(0o600))
}

// fill compiles the module into a temporary directory with build and
// renames it into place. The caller holds the fill lock, so any temporary
// directory already there was left by a filler that died: it is removed.
// The compiled runtime is returned for use; if another entry won the rename
// (a filler of another program sharing the root without the lock), ours is
// dropped and the runtime still works: its code is in memory.
func (c *compilationCache) fill(build func(dir string) (*Runtime, error)) (*Runtime, error) {
	c.removeTemporaries()
	tmp, err := os.MkdirTemp(c.root, c.key+tempMarker)
	if err != nil {
		return nil, err
	}
	r, err := build(tmp)
	if err == nil {
		if beforePublish != nil {
			beforePublish(tmp)
		}
		err = c.publish(tmp)
		if err != nil {
			r.Close(context.Background())
			r = nil
		}
	}
	if err != nil {
		os.RemoveAll(tmp)
	}
	return r, err
}

// beforePublish, when a test sets it, runs when a fill has written all its
// files and not yet renamed them into place: the moment a kill would do the
// most harm.
var beforePublish func(tmp string)

// publish renames a filled temporary directory into place. wazero syncs
// each file it writes; the directories' own entries are flushed here first,
// so that even a power loss after the rename cannot expose an entry whose
// files are missing (best effort: some platforms cannot sync a directory).
func (c *compilationCache) publish(tmp string) error {
	filepath.WalkDir(tmp, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			syncDir(p)
		}
		return nil
	})
	if err := os.Rename(tmp, c.entry); err != nil {
		if c.present() {
			os.RemoveAll(tmp) // another filler published first: same code
			return nil
		}
		return err
	}
	syncDir(c.root)
	return nil
}

// removeTemporaries deletes directories left by fillers that died.
func (c *compilationCache) removeTemporaries() {
	left, _ := filepath.Glob(filepath.Join(c.root, "*"+tempMarker+"*"))
	for _, dir := range left {
		os.RemoveAll(dir)
	}
}

func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		f.Sync()
		f.Close()
	}
}

// filling reports whether another process holds the fill lock now.
func (c *compilationCache) filling() bool {
	l := c.lock()
	ok, err := l.TryLock()
	if err != nil {
		return false // let a filler find out for itself
	}
	if ok {
		l.Unlock()
	}
	return !ok
}

// lockWait bounds how long a process waits for another one's fill.
const lockWait = 2 * time.Minute

// waitAndLock takes the fill lock, waiting for a filler that holds it.
func (c *compilationCache) waitAndLock(ctx context.Context) (*flock.Flock, error) {
	l := c.lock()
	ctx, cancel := context.WithTimeout(ctx, lockWait)
	defer cancel()
	ok, err := l.TryLockContext(ctx, 10*time.Millisecond)
	if err != nil || !ok {
		return nil, fmt.Errorf("another process holds %s and did not finish compiling the plugin within %v: %v", l.Path(), lockWait, err)
	}
	return l, nil
}
