package profiles

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/gofrs/flock"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// LockWait bounds how long a caller waits for another holder of a profile
// lock: a holder runs one plugin call, which the engine bounds at about
// 2 minutes, so a longer wait means a stuck process.
const LockWait = 2*time.Minute + 10*time.Second

// LockPath is the lock file of profile: <dir>/locks/<first 16 hex digits of
// SHA-256(profile)>.lock. Hashing keeps any profile name a safe file name;
// every host follows this layout (wit/EMBEDDING.md, "One refresh at a time").
func LockPath(dir, profile string) string {
	sum := sha256.Sum256([]byte(profile))
	return filepath.Join(dir, "locks", hex.EncodeToString(sum[:8])+".lock")
}

// Lock holds a profile's lock while a plugin call may refresh or rewrite
// it. Two callers refreshing with the same rotating refresh token would make
// the server revoke the session (reuse of a rotated refresh token is an
// attack signal, RFC 9700 4.14.2); holding the lock, the second caller reads
// the record only after the first stored its fresh token, and uses that.
//
// The lock excludes other goroutines of this process and other processes
// alike: an exclusive advisory lock on LockPath (flock(2) LOCK_EX on POSIX,
// LockFileEx on Windows) behind a mutex of this process per lock file, which
// hands the lock to a waiting goroutine at once rather than at the next
// poll of the file, and holds even where a file lock belongs to the whole
// process. A caller waits at most LockWait, or until ctx ends.
func Lock(ctx context.Context, dir, profile string) (unlock func(), err error) {
	return LockAll(ctx, dir, profile)
}

// LockAll holds the locks of several profiles, as a token exchange needs for
// its client and its subject profile. It takes them in the order of their
// lock file names, the same order in every process, so two callers that
// each need both never hold one and wait for the other. A name given twice
// is locked once.
func LockAll(ctx context.Context, dir string, profiles ...string) (unlock func(), err error) {
	paths := make([]string, 0, len(profiles))
	for _, p := range profiles {
		paths = append(paths, LockPath(dir, p))
	}
	slices.Sort(paths)
	paths = slices.Compact(paths)
	ctx, cancel := context.WithTimeout(ctx, LockWait)
	defer cancel()
	var held []func()
	release := func() {
		for _, u := range slices.Backward(held) {
			u()
		}
	}
	for _, path := range paths {
		u, err := lockFile(ctx, path)
		if err != nil {
			release()
			return nil, err
		}
		held = append(held, u)
	}
	return release, nil
}

// lockIndex serialises read-modify-write of profiles.json between processes.
func lockIndex(ctx context.Context, dir string) (func(), error) {
	ctx, cancel := context.WithTimeout(ctx, LockWait)
	defer cancel()
	return lockFile(ctx, filepath.Join(dir, "locks", "profiles.lock"))
}

// inProcess holds one mutex per lock file for this process; a channel of
// one slot, so a waiter can give up when its context ends.
var inProcess struct {
	sync.Mutex
	slots map[string]chan struct{}
}

func processSlot(path string) chan struct{} {
	inProcess.Lock()
	defer inProcess.Unlock()
	if inProcess.slots == nil {
		inProcess.slots = map[string]chan struct{}{}
	}
	slot, ok := inProcess.slots[path]
	if !ok {
		slot = make(chan struct{}, 1)
		inProcess.slots[path] = slot
	}
	return slot
}

// lockFile takes this process's mutex for path, then the file lock.
func lockFile(ctx context.Context, path string) (func(), error) {
	start := time.Now()
	slot := processSlot(path)
	select {
	case slot <- struct{}{}:
	case <-ctx.Done():
		return nil, waitFailed(ctx, path, "another call in this program", start)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		<-slot
		return nil, fmt.Errorf("creating the lock directory: %w", err)
	}
	l := flock.New(path, flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(0o600))
	ok, err := l.TryLockContext(ctx, 10*time.Millisecond)
	if !ok {
		<-slot
		if err != nil && ctx.Err() == nil {
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		return nil, waitFailed(ctx, path, "another wasmlogin process", start)
	}
	return func() { l.Unlock(); <-slot }, nil
}

// waitFailed says whose lock was not released and what the user can do.
// Nothing was changed, so it is transient: try again.
func waitFailed(ctx context.Context, path, holder string, start time.Time) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return ctx.Err()
	}
	return &api.Error{Code: api.CodeTransient, Message: fmt.Sprintf(
		"%s held the profile lock %s for the %s this call could wait; nothing was changed. "+
			"Try again; if no other wasmlogin command is running, a stuck process holds the lock: end it",
		holder, path, time.Since(start).Round(time.Millisecond))}
}
