package secretstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// DefaultKeyringTimeout bounds each keyring call. A locked or wedged Secret
// Service can leave a D-Bus call waiting forever; the user should get an
// error instead of a hung terminal.
const DefaultKeyringTimeout = 10 * time.Second

// keyringBackend is one OS keyring: the Secret Service on Linux
// (secretservice_linux.go), go-keyring elsewhere (secretservice_other.go).
// It exists so chunking and error mapping can be tested without a D-Bus
// session. A missing entry is errNotFound; a value the keyring refuses for
// its size wraps errTooBig.
type keyringBackend interface {
	Get(service, user string) (string, error)
	Set(service, user, value string) error
	Delete(service, user string) error
}

var (
	errNotFound = errors.New("no such keyring entry")
	errTooBig   = errors.New("the value is too large for one keyring entry")
)

// errNoSessionBus reports that there is no D-Bus session to find a Secret
// Service on.
var errNoSessionBus = errors.New("no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set")

// sessionBusCheck fails fast where the Secret Service is used and no session
// bus exists. Without it, the D-Bus library falls back to running
// dbus-launch, which starts a stray bus (and a locked keyring daemon) that
// outlives the command and still cannot be used without a desktop.
// The per-user bus socket of systemd sessions counts as a session bus.
func sessionBusCheck() error {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" || os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return nil
	}
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "bus")); err == nil {
			return nil
		}
	}
	if _, err := os.Stat(fmt.Sprintf("/run/user/%d/bus", os.Getuid())); err == nil {
		return nil
	}
	return errNoSessionBus
}

// KeyringOption adjusts Keyring.
type KeyringOption func(*keyringStore)

// WithTimeout replaces DefaultKeyringTimeout for every keyring call.
func WithTimeout(d time.Duration) KeyringOption {
	return func(k *keyringStore) {
		if d > 0 {
			k.timeout = d
		}
	}
}

// Keyring returns a Store in the OS keyring (Secret Service on Linux,
// Keychain on macOS, Credential Manager on Windows). Entries are filed under
// service, with the key as the account name. Values longer than a keyring
// entry can portably hold are split over several entries (see chunk.go).
func Keyring(service string, opts ...KeyringOption) Store {
	k := newKeyring(service, nil, opts...)
	k.backend = osBackend(k.timeout)
	return k
}

func newKeyring(service string, b keyringBackend, opts ...KeyringOption) *keyringStore {
	k := &keyringStore{service: service, backend: b, timeout: DefaultKeyringTimeout}
	for _, o := range opts {
		o(k)
	}
	return k
}

type keyringStore struct {
	service string
	backend keyringBackend
	timeout time.Duration
}

func (k *keyringStore) Name() string { return "keyring" }

// call runs op with the timeout. The D-Bus call cannot be cancelled, so on
// timeout its goroutine is abandoned; it ends whenever the keyring answers
// or the process exits.
func (k *keyringStore) call(op string, fn func() (string, error)) (string, error) {
	type result struct {
		v   string
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := fn()
		done <- result{v, err}
	}()
	timer := time.NewTimer(k.timeout)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.v, k.mapError(op, r.err)
	case <-timer.C:
		return "", k.noAnswer(op)
	}
}

func (k *keyringStore) noAnswer(op string) error {
	return fmt.Errorf("%w: the OS keyring did not answer within %s while trying to %s a secret; "+
		"it may be locked and waiting for a password prompt that cannot be shown; unlock it and try again, "+
		"or choose the encrypted file store explicitly with --store=file and WASMLOGIN_STORE_PASSPHRASE",
		ErrUnavailable, k.timeout, op)
}

func (k *keyringStore) get(user string) (string, error) {
	return k.call("read", func() (string, error) { return k.backend.Get(k.service, user) })
}

func (k *keyringStore) set(user, value string) error {
	_, err := k.call("store", func() (string, error) { return "", k.backend.Set(k.service, user, value) })
	return err
}

func (k *keyringStore) del(user string) error {
	_, err := k.call("delete", func() (string, error) { return "", k.backend.Delete(k.service, user) })
	return err
}

// mapError turns the backend's errors into ones a user can act on. The
// underlying error text comes from D-Bus or the OS and never contains the
// secret.
func (k *keyringStore) mapError(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errNotFound):
		return errNotFound
	case errors.Is(err, context.DeadlineExceeded): // the backend's own bound (secretservice_linux.go)
		return k.noAnswer(op)
	case errors.Is(err, errTooBig):
		return fmt.Errorf("the OS keyring refused to %s a secret because it is too large: %w", op, err)
	case secretServiceMissing(err):
		return fmt.Errorf("%w: no OS keyring is reachable (%v); start one (for example gnome-keyring-daemon in a D-Bus session) "+
			"or choose the encrypted file store explicitly with --store=file and WASMLOGIN_STORE_PASSPHRASE",
			ErrUnavailable, err)
	default:
		return fmt.Errorf("%w: the OS keyring could not %s a secret (%v); make sure it is unlocked and try again, "+
			"or choose the encrypted file store explicitly with --store=file and WASMLOGIN_STORE_PASSPHRASE",
			ErrUnavailable, op, err)
	}
}

// secretServiceMissing recognises the ways a Linux/BSD desktop-less session
// reports that there is no Secret Service to talk to.
func secretServiceMissing(err error) bool {
	if errors.Is(err, errNoSessionBus) {
		return true
	}
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		return false
	}
	msg := err.Error()
	for _, s := range []string{
		"org.freedesktop.secrets",   // "The name org.freedesktop.secrets was not provided by any .service files"
		"ServiceUnknown",            // same, by D-Bus error name
		"session bus",               // "couldn't determine address of session bus"
		"dbus-launch", "autolaunch", // godbus trying to start a bus without X11
		"connection refused",        // stale DBUS_SESSION_BUS_ADDRESS
		"no such file or directory", // bus socket gone
	} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
