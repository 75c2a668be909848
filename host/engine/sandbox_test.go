package engine

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The sandbox, tested with a guest that misbehaves on purpose under the
// engine's real configuration: it cannot read files, cannot reach the
// network through Extism's built-in HTTP, is stopped by the memory cap and
// the call timeout, and its panic is an error in the host, not a crash.
// Both engines a host runs the plugin on are tested: native code, and the
// interpreter a cold command uses (Options.OnMiss).
func TestSandbox(t *testing.T) {
	guest := buildGuest(t)
	t.Run("native", func(t *testing.T) {
		testSandbox(t, Options{Module: guest, CacheDir: "-", CallTimeout: 2 * time.Second}, false)
	})
	t.Run("interpreted", func(t *testing.T) {
		testSandbox(t, Options{Module: guest, CacheDir: t.TempDir(), OnMiss: func() {}, CallTimeout: 2 * time.Second}, true)
	})
}

func testSandbox(t *testing.T, opts Options, interpreted bool) {
	ctx := context.Background()
	rt, err := New(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	if rt.Interpreted() != interpreted {
		t.Fatalf("Interpreted() = %v, want %v", rt.Interpreted(), interpreted)
	}
	call := func(export, input string) (string, error) {
		inst, err := rt.Instance(ctx, &Services{})
		if err != nil {
			t.Fatal(err)
		}
		defer inst.Close(ctx)
		_, out, err := inst.plugin.CallWithContext(ctx, export, []byte(input))
		return string(out), err
	}

	secret := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(secret, []byte("host file"), 0o600)
	if out, err := call("read_file", secret); err != nil || !strings.HasPrefix(out, "refused") {
		t.Errorf("reading a host file: %q, %v", out, err)
	}

	var reached atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached.Store(true) }))
	defer srv.Close()
	if out, err := call("extism_http", srv.URL); err == nil || reached.Load() {
		t.Errorf("Extism's built-in HTTP reached %s (out %q, err %v)", srv.URL, out, err)
	}

	if _, err := call("grow", ""); err == nil {
		t.Error("the guest allocated 1 GiB past the 64 MiB cap")
	}

	start := time.Now()
	if _, err := call("spin", ""); err == nil || time.Since(start) > 10*time.Second {
		t.Errorf("an endless loop was not stopped by the call timeout: %v after %v", err, time.Since(start))
	}

	if _, err := call("boom", ""); err == nil {
		t.Error("a guest panic did not come back as an error")
	}
}

func buildGuest(t *testing.T) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "guest.wasm")
	cmd := exec.Command("go", "build", "-buildmode=c-shared", "-o", out, "./testdata/sandboxguest")
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the sandbox guest: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
