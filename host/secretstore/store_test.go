package secretstore

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// exercise runs the behaviour every Store promises.
func exercise(t *testing.T, s Store) {
	t.Helper()
	if _, found, err := s.Get("absent"); err != nil || found {
		t.Fatalf("Get(absent) = found %v, %v", found, err)
	}
	if err := s.Set("k", "v1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Set("k", "v2"); err != nil {
		t.Fatal(err)
	}
	if v, found, err := s.Get("k"); err != nil || !found || v != "v2" {
		t.Fatalf("Get(k) = %q, %v, %v", v, found, err)
	}
	if err := s.Delete("k"); err != nil {
		t.Fatal(err)
	}
	if _, found, err := s.Get("k"); err != nil || found {
		t.Fatalf("after Delete: found %v, %v", found, err)
	}
	if err := s.Delete("k"); err != nil {
		t.Fatalf("deleting a missing key: %v", err)
	}
}

func TestMemory(t *testing.T) {
	s := Memory()
	exercise(t, s)
	if s.Name() != "memory" {
		t.Fatal(s.Name())
	}
}

func TestEncryptedFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "secrets.enc")
	s, err := EncryptedFile(path, []byte("correct horse"))
	if err != nil {
		t.Fatal(err)
	}
	exercise(t, s)
	if err := s.Set("refresh", "rt-value"); err != nil {
		t.Fatal(err)
	}
	// A second instance (another process, in real life) reads the same data.
	s2, err := EncryptedFile(path, []byte("correct horse"))
	if err != nil {
		t.Fatal(err)
	}
	if v, found, err := s2.Get("refresh"); err != nil || !found || v != "rt-value" {
		t.Fatalf("reopened Get = %q, %v, %v", v, found, err)
	}
	if s.Name() != "file" {
		t.Fatal(s.Name())
	}
}

func TestEncryptedFileWrongPassphrase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets.enc")
	s, err := EncryptedFile(path, []byte("right-pass-123"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set("k", "v"); err != nil {
		t.Fatal(err)
	}
	_, err = EncryptedFile(path, []byte("bad-pass-456"))
	if err == nil || !strings.Contains(err.Error(), "cannot decrypt") || !strings.Contains(err.Error(), "WASMLOGIN_STORE_PASSPHRASE") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "bad-pass-456") || strings.Contains(err.Error(), "right-pass-123") {
		t.Fatalf("error mentions the passphrase: %v", err)
	}
}

func TestEncryptedFileEmptyPassphrase(t *testing.T) {
	if _, err := EncryptedFile(filepath.Join(t.TempDir(), "s"), nil); err == nil {
		t.Fatal("empty passphrase accepted")
	}
}

func TestEncryptedFileNotAStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s")
	os.WriteFile(path, []byte(`{"k":"v"}`), 0o600)
	if _, err := EncryptedFile(path, []byte("p")); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("err = %v", err)
	}
}

func TestEncryptedFilePermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix permission bits")
	}
	dir := filepath.Join(t.TempDir(), "new")
	path := filepath.Join(dir, "secrets.enc")
	s, err := EncryptedFile(path, []byte("p"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Set("k", "v"); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{path: 0o600, dir: 0o700} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s mode %o, want %o", p, got, want)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		switch e.Name() {
		case "secrets.enc":
		case "secrets.enc.lock": // the writers' lock: empty, the user's only
			if fi, _ := e.Info(); fi.Size() != 0 || fi.Mode().Perm() != 0o600 {
				t.Errorf("lock file: %d bytes, mode %o", fi.Size(), fi.Mode().Perm())
			}
		default:
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestEncryptedFileCiphertext(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets.enc")
	s, err := EncryptedFile(path, []byte("p"))
	if err != nil {
		t.Fatal(err)
	}
	const secret = "eyJhbGciOiJSUzI1NiJ9.very-secret-refresh-token"
	if err := s.Set("refresh_token_key", secret); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, plain := range []string{secret, "very-secret", "refresh_token_key"} {
		if bytes.Contains(data, []byte(plain)) {
			t.Errorf("file contains %q in clear", plain)
		}
	}
}

func TestErrUnavailableWrapped(t *testing.T) {
	k := newKeyring("svc", &fakeBackend{failWith: errors.New("The name org.freedesktop.secrets was not provided by any .service files")})
	_, _, err := k.Get("k")
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v", err)
	}
	if runtime.GOOS != "windows" && runtime.GOOS != "darwin" {
		for _, want := range []string{"no OS keyring is reachable", "gnome-keyring-daemon", "--store=file", "WASMLOGIN_STORE_PASSPHRASE"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("message lacks %q: %v", want, err)
			}
		}
	}
}

// Two processes writing the file store at once must not lose each other's
// entries; separate stores on one path stand in for the processes.
func TestEncryptedFileConcurrentWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets.enc")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := EncryptedFile(path, []byte("pass"))
			if err != nil {
				t.Error(err)
				return
			}
			if err := s.Set(fmt.Sprintf("k%d", i), "v"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	s, _ := EncryptedFile(path, []byte("pass"))
	for i := range 8 {
		if _, found, err := s.Get(fmt.Sprintf("k%d", i)); err != nil || !found {
			t.Fatalf("entry k%d lost (found %v, err %v)", i, found, err)
		}
	}
}
