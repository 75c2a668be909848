package profiles

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// Lock holds a cross-process lock on one profile while a token call may
// refresh it. Two processes refreshing with the same rotating refresh token
// would make the server revoke the session (the second use of a rotated
// token is an attack signal, RFC 9700 4.14.2); with the lock the second
// process finds the first one's fresh token instead.
func Lock(ctx context.Context, dir, profile string) (unlock func(), err error) {
	sum := sha256.Sum256([]byte(profile))
	return lockFile(ctx, filepath.Join(dir, "locks", hex.EncodeToString(sum[:8])+".lock"))
}

// lockIndex serialises read-modify-write of profiles.json between processes.
func lockIndex(ctx context.Context, dir string) (func(), error) {
	return lockFile(ctx, filepath.Join(dir, "locks", "profiles.lock"))
}

func lockFile(ctx context.Context, path string) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	l := flock.New(path, flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(0o600))
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	ok, err := l.TryLockContext(ctx, 10*time.Millisecond)
	if err != nil || !ok {
		// Said in words: Go's "context deadline exceeded" tells a user nothing.
		switch {
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			return nil, fmt.Errorf("another wasmlogin process holds %s and did not finish within 2 minutes; try again when it has", path)
		case ctx.Err() != nil:
			return nil, fmt.Errorf("cancelled while waiting for another wasmlogin process to release %s", path)
		}
		return nil, fmt.Errorf("cannot lock %s: %v", path, err)
	}
	return func() { l.Unlock() }, nil
}
