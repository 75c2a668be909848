package secretstore

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

// fakeBackend stands in for the OS keyring. It enforces the Windows size limit
// so a chunking mistake shows up on Linux too.
type fakeBackend struct {
	mu       sync.Mutex
	entries  map[string]string
	deletes  int // Delete calls that reached the backend
	failWith error
	hang     chan struct{} // when set, every call blocks until closed
}

func (f *fakeBackend) op() error {
	if f.hang != nil {
		<-f.hang
	}
	return f.failWith
}

func (f *fakeBackend) Get(service, user string) (string, error) {
	if err := f.op(); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.entries[service+"/"+user]
	if !ok {
		return "", errNotFound
	}
	return v, nil
}

func (f *fakeBackend) Set(service, user, value string) error {
	if err := f.op(); err != nil {
		return err
	}
	if len(value) > maxEntryBytes+560 { // a limit just above ours, as Windows' 2560 is above 2000
		return errTooBig
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.entries == nil {
		f.entries = map[string]string{}
	}
	f.entries[service+"/"+user] = value
	return nil
}

func (f *fakeBackend) Delete(service, user string) error {
	if err := f.op(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deletes++
	if _, ok := f.entries[service+"/"+user]; !ok {
		return errNotFound
	}
	delete(f.entries, service+"/"+user)
	return nil
}

func (f *fakeBackend) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.entries)
}

func TestKeyringFakeBasics(t *testing.T) {
	exercise(t, newKeyring("svc", &fakeBackend{}))
}

// Deleting a missing key is one read, not a read and a failed delete.
func TestKeyringDeleteMissingReadsOnly(t *testing.T) {
	b := &fakeBackend{}
	k := newKeyring("svc", b)
	if err := k.Delete("absent"); err != nil || b.deletes != 0 {
		t.Fatalf("err %v, %d backend deletes", err, b.deletes)
	}
	if err := k.Set("present", "v"); err != nil {
		t.Fatal(err)
	}
	if err := k.Delete("present"); err != nil || b.deletes != 1 || b.count() != 0 {
		t.Fatalf("err %v, %d backend deletes, %d entries left", err, b.deletes, b.count())
	}
}

func TestKeyringChunking(t *testing.T) {
	b := &fakeBackend{}
	k := newKeyring("svc", b)
	big := strings.Repeat("0123456789", (3*maxEntryBytes+maxEntryBytes/4)/10) // four entries
	if err := k.Set("rec", big); err != nil {
		t.Fatal(err)
	}
	if n := b.count(); n != 4 {
		t.Fatalf("%d entries, want 4", n)
	}
	for name, v := range b.entries {
		if len(v) > maxEntryBytes {
			t.Errorf("entry %s holds %d bytes", name, len(v))
		}
	}
	if !strings.HasPrefix(b.entries["svc/rec"], chunkMagic+"4:") {
		t.Fatalf("first entry starts %q", b.entries["svc/rec"][:30])
	}
	if v, found, err := k.Get("rec"); err != nil || !found || v != big {
		t.Fatalf("Get: found %v, err %v, equal %v", found, err, v == big)
	}

	// A shorter value replaces the longer one and leaves no stray parts.
	if err := k.Set("rec", "short"); err != nil {
		t.Fatal(err)
	}
	if n := b.count(); n != 1 {
		t.Fatalf("%d entries after shrinking, want 1", n)
	}
	if v, _, _ := k.Get("rec"); v != "short" {
		t.Fatalf("Get = %q", v)
	}

	if err := k.Set("rec", big); err != nil {
		t.Fatal(err)
	}
	if err := k.Delete("rec"); err != nil {
		t.Fatal(err)
	}
	if n := b.count(); n != 0 {
		t.Fatalf("%d entries left after Delete: %v", n, b.entries)
	}
}

func TestKeyringChunkBoundaries(t *testing.T) {
	for _, value := range []string{
		"",
		strings.Repeat("a", maxEntryBytes),
		strings.Repeat("a", maxEntryBytes+1),
		strings.Repeat("é", maxEntryBytes*3/2), // multi-byte runes must not be cut
		chunkMagic + "2:" + strings.Repeat("0", 64) + "\nlooks like a header", // values that mimic the format
		legacyMagic + "2\nlooks like an old header",
	} {
		k := newKeyring("svc", &fakeBackend{})
		if err := k.Set("k", value); err != nil {
			t.Fatal(err)
		}
		if v, found, err := k.Get("k"); err != nil || !found || v != value {
			t.Errorf("len %d: got len %d, found %v, err %v", len(value), len(v), found, err)
		}
	}
	for _, part := range splitValue(strings.Repeat("é", maxEntryBytes*3/2)) {
		if !strings.HasPrefix(part, chunkMagic) && !utf8Valid(part) {
			t.Errorf("part is not valid UTF-8")
		}
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

func TestKeyringMissingPart(t *testing.T) {
	b := &fakeBackend{}
	k := newKeyring("svc", b)
	k.Set("rec", strings.Repeat("x", 2*maxEntryBytes+maxEntryBytes/2)) // three entries
	delete(b.entries, "svc/"+partKey("rec", 2))
	_, _, err := k.Get("rec")
	if err == nil || !strings.Contains(err.Error(), "damaged") || strings.Contains(err.Error(), "xxxx") {
		t.Fatalf("err = %v", err)
	}
}

func TestKeyringTimeout(t *testing.T) {
	b := &fakeBackend{hang: make(chan struct{})}
	defer close(b.hang)
	k := newKeyring("svc", b, WithTimeout(50*time.Millisecond))
	start := time.Now()
	_, _, err := k.Get("k")
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "did not answer") {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatal("the timeout did not apply")
	}
}

func TestKeyringOtherErrorUnavailable(t *testing.T) {
	k := newKeyring("svc", &fakeBackend{failWith: errors.New("Cannot get secret of a locked object")})
	err := k.Set("k", "v")
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "unlocked") {
		t.Fatalf("err = %v", err)
	}
}

// TestKeyringSecretService talks to a real Secret Service. CI runs it inside
// dbus-run-session with an unlocked gnome-keyring (.ci/run); there it must
// not be skipped, or a broken keyring path would go unnoticed.
func TestKeyringSecretService(t *testing.T) {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("DBUS_SESSION_BUS_ADDRESS is not set: run the tests inside `dbus-run-session` with gnome-keyring unlocked, see .ci/run")
		}
		t.Skip("SKIPPED REAL KEYRING TEST: no D-Bus session (DBUS_SESSION_BUS_ADDRESS unset); " +
			"run inside dbus-run-session with an unlocked gnome-keyring-daemon to exercise the Secret Service")
	}
	service := fmt.Sprintf("wasmlogin-test-%d", time.Now().UnixNano())
	s := Keyring(service)
	key := "record"
	// Large enough to be split on this OS, so chunking meets the real service.
	n := 2*maxEntryBytes + maxEntryBytes/2
	value := strings.Repeat("ID-token-bearing record ", n/24+1)[:n] + "END"
	t.Cleanup(func() { s.Delete(key) })

	if err := s.Set(key, value); err != nil {
		t.Fatal(err)
	}
	got, found, err := s.Get(key)
	if err != nil || !found || got != value {
		t.Fatalf("Get: found %v, err %v, equal %v", found, err, got == value)
	}
	if err := s.Delete(key); err != nil {
		t.Fatal(err)
	}
	if _, found, err := s.Get(key); err != nil || found {
		t.Fatalf("after Delete: found %v, err %v", found, err)
	}
	// No parts may survive the Delete.
	for i := 1; i < 5; i++ {
		if _, err := keyring.Get(service, partKey(key, i)); !errors.Is(err, keyring.ErrNotFound) {
			t.Errorf("part %d still present (err %v)", i, err)
		}
	}
}
