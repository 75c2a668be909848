package secretstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

// The Secret Service backend and go-keyring file entries the same way, so
// each reads what the other wrote: entries from earlier versions, and
// programs that use go-keyring directly, keep working.
func TestSecretServiceInteroperatesWithGoKeyring(t *testing.T) {
	requireSessionBus(t)
	service := fmt.Sprintf("wasmlogin-test-%d", time.Now().UnixNano())
	s := &secretService{timeout: DefaultKeyringTimeout}
	t.Cleanup(func() { keyring.Delete(service, "ours"); keyring.Delete(service, "theirs") })

	if err := s.Set(service, "ours", "written by the store"); err != nil {
		t.Fatal(err)
	}
	if got, err := keyring.Get(service, "ours"); err != nil || got != "written by the store" {
		t.Fatalf("go-keyring read %q, %v", got, err)
	}
	if err := keyring.Set(service, "theirs", "written by go-keyring"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(service, "theirs"); err != nil || got != "written by go-keyring" {
		t.Fatalf("the store read %q, %v", got, err)
	}
	if err := s.Set(service, "theirs", "replaced"); err != nil {
		t.Fatal(err)
	}
	if got, err := keyring.Get(service, "theirs"); err != nil || got != "replaced" {
		t.Fatalf("after replacing, go-keyring read %q, %v (a second entry instead of a replacement?)", got, err)
	}
	if err := s.Delete(service, "ours"); err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.Get(service, "ours"); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("go-keyring still finds the deleted entry: %v", err)
	}
	if _, err := s.Get(service, "ours"); !errors.Is(err, errNotFound) {
		t.Fatalf("a missing entry gives %v, want ErrNotFound", err)
	}
}

// A session the keyring no longer knows (it restarted, or closed it) costs
// one retry, not a failed command; so does a connection that went away.
func TestSecretServiceRecoversFromAStaleSession(t *testing.T) {
	requireSessionBus(t)
	service := fmt.Sprintf("wasmlogin-test-%d", time.Now().UnixNano())
	s := &secretService{timeout: DefaultKeyringTimeout}
	t.Cleanup(func() { keyring.Delete(service, "k") })
	if err := s.Set(service, "k", "v"); err != nil {
		t.Fatal(err)
	}
	stale := s.kept
	if err := stale.client.closeSession(context.Background(), stale.session); err != nil { // the session is now stale
		t.Fatal(err)
	}
	if got, err := s.Get(service, "k"); err != nil || got != "v" {
		t.Fatalf("after the session closed: %q, %v", got, err)
	}
	if s.kept == stale {
		t.Fatal("the stale session is still kept")
	}
	s.kept.client.close() // the connection is gone
	if err := s.Set(service, "k", "v2"); err != nil {
		t.Fatalf("after the connection closed: %v", err)
	}
	if got, err := keyring.Get(service, "k"); err != nil || got != "v2" {
		t.Fatalf("go-keyring read %q, %v", got, err)
	}
}

// Several calls share one session: the setup is paid once per store.
func TestSecretServiceKeepsOneSession(t *testing.T) {
	requireSessionBus(t)
	service := fmt.Sprintf("wasmlogin-test-%d", time.Now().UnixNano())
	s := &secretService{timeout: DefaultKeyringTimeout}
	t.Cleanup(func() { keyring.Delete(service, "k") })
	if err := s.Set(service, "k", "v"); err != nil {
		t.Fatal(err)
	}
	first := s.kept
	if _, err := s.Get(service, "k"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(service, "absent"); !errors.Is(err, errNotFound) {
		t.Fatalf("a missing entry gives %v", err)
	}
	if err := s.Delete(service, "k"); err != nil {
		t.Fatal(err)
	}
	if s.kept != first {
		t.Fatal("the session was set up again between calls")
	}
}

// requireSessionBus skips, loudly, without a D-Bus session, except in CI,
// where .ci/run provides one and a skip would hide a broken keyring path.
func requireSessionBus(t *testing.T) {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("DBUS_SESSION_BUS_ADDRESS is not set: run the tests inside `dbus-run-session` with gnome-keyring unlocked, see .ci/run")
	}
	t.Skip("SKIPPED REAL KEYRING TEST: no D-Bus session (DBUS_SESSION_BUS_ADDRESS unset); " +
		"run inside dbus-run-session with an unlocked gnome-keyring-daemon to exercise the Secret Service")
}
