package profiles_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/host/profiles"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// The layout every host follows: <dir>/locks/<first 16 hex digits of
// SHA-256(profile)>.lock, the file 0600 in a 0700 directory.
func TestLockPathAndModes(t *testing.T) {
	dir := t.TempDir()
	sum := sha256.Sum256([]byte("work/github"))
	want := filepath.Join(dir, "locks", hex.EncodeToString(sum[:])[:16]+".lock")
	if got := profiles.LockPath(dir, "work/github"); got != want {
		t.Fatalf("LockPath = %s, want %s", got, want)
	}
	unlock, err := profiles.Lock(context.Background(), dir, "work/github")
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	for path, perm := range map[string]os.FileMode{want: 0o600, filepath.Dir(want): 0o700} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != perm {
			t.Errorf("%s has mode %v, want %v", path, fi.Mode().Perm(), perm)
		}
	}
}

// Goroutines holding the same profile's lock never overlap.
func TestLockExcludesGoroutines(t *testing.T) {
	dir := t.TempDir()
	var inside, overlaps int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			unlock, err := profiles.Lock(context.Background(), dir, "p")
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			inside++
			if inside > 1 {
				overlaps++
			}
			mu.Unlock()
			time.Sleep(time.Millisecond) // give an overlap the chance to show
			mu.Lock()
			inside--
			mu.Unlock()
			unlock()
		}()
	}
	wg.Wait()
	if overlaps != 0 {
		t.Fatalf("%d callers held the lock while another did", overlaps)
	}
}

// A waiter that gives up says which lock file it waited for, as a
// transient failure (nothing was changed; try again).
func TestLockWaitNamesTheFile(t *testing.T) {
	dir := t.TempDir()
	unlock, err := profiles.Lock(context.Background(), dir, "p")
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = profiles.Lock(ctx, dir, "p")
	var fe *api.Error
	if !errors.As(err, &fe) || fe.Code != api.CodeTransient || !strings.Contains(fe.Message, profiles.LockPath(dir, "p")) {
		t.Fatalf("got %v, want a transient error naming %s", err, profiles.LockPath(dir, "p"))
	}
	other, err := profiles.Lock(context.Background(), dir, "other")
	if err != nil {
		t.Fatalf("another profile's lock is independent: %v", err)
	}
	other()
}

// Another process holding the lock keeps this one out until it lets go.
func TestLockExcludesProcesses(t *testing.T) {
	dir := t.TempDir()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), holderEnv+"="+dir)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "held\n" {
		t.Fatalf("the holder process said %q", line)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if unlock, err := profiles.Lock(ctx, dir, "p"); err == nil {
		unlock()
		t.Fatal("took the lock while another process held it")
	}
	stdin.Close() // the holder unlocks and exits
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	unlock, err := profiles.Lock(context.Background(), dir, "p")
	if err != nil {
		t.Fatal(err)
	}
	unlock()
}

// LockAll takes its locks in one order whatever order the names come in,
// so two callers needing the same two profiles cannot wait on each other,
// and a name given twice is locked once.
func TestLockAllFixedOrder(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			names := []string{"client", "subject"}
			if i%2 == 1 {
				names = []string{"subject", "client"}
			}
			for range 20 {
				unlock, err := profiles.LockAll(ctx, dir, names...)
				if err != nil {
					t.Error(err)
					return
				}
				unlock()
			}
		}()
	}
	wg.Wait()
	unlock, err := profiles.LockAll(ctx, dir, "same", "same")
	if err != nil {
		t.Fatal(err)
	}
	unlock()
}

const holderEnv = "PROFILES_TEST_HOLD_LOCK_IN"

// TestMain doubles as the holder process of TestLockExcludesProcesses: it
// takes the lock of profile "p", says "held", and lets go when stdin closes.
func TestMain(m *testing.M) {
	if dir := os.Getenv(holderEnv); dir != "" {
		unlock, err := profiles.Lock(context.Background(), dir, "p")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println("held")
		bufio.NewReader(os.Stdin).ReadString('\n')
		unlock()
		os.Exit(0)
	}
	os.Exit(m.Run())
}
