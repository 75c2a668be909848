package testop_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/internal/testop"
)

// binDir holds the programs built by buildProgram, once per test binary.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "testop-bin-")
	if err != nil {
		panic(err)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var builds sync.Map // package path -> func() (string, error)

// buildProgram builds ./cmd/<name> once and returns the binary's path.
func buildProgram(t *testing.T, name string) string {
	t.Helper()
	f, _ := builds.LoadOrStore(name, sync.OnceValues(func() (string, error) {
		out := filepath.Join(binDir, name)
		cmd := exec.Command("go", "build", "-o", out, "./cmd/"+name)
		if b, err := cmd.CombinedOutput(); err != nil {
			return "", &buildError{name, err, string(b)}
		}
		return out, nil
	}))
	path, err := f.(func() (string, error))()
	if err != nil {
		t.Fatal(err)
	}
	return path
}

type buildError struct {
	name string
	err  error
	out  string
}

func (e *buildError) Error() string {
	return "go build ./cmd/" + e.name + ": " + e.err.Error() + "\n" + e.out
}

// runBrowser runs a BROWSER program on url like a CLI would, with the OP's
// credentials in the environment.
func runBrowser(t *testing.T, bin string, op *testop.OP, url string, timeout time.Duration, env ...string) (stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, url)
	cmd.Env = append(os.Environ(), "TESTOP_USERNAME="+op.Username, "TESTOP_PASSWORD="+op.Password)
	cmd.Env = append(cmd.Env, env...)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err = cmd.Run()
	return buf.String(), err
}

func TestAutobrowser(t *testing.T) {
	bin := buildProgram(t, "autobrowser")
	op := testop.StartT(t, testop.Options{})
	client := testop.StartStandInClient(t) // stand-in for the program under test
	_, challenge := testop.PKCE()
	authURL := op.AuthorizationURL(testop.NativeClientID, client.RedirectURI, "st-auto", challenge, "openid")
	logPath := filepath.Join(t.TempDir(), "urls.log")

	if out, err := runBrowser(t, bin, op, authURL, 40*time.Second, "AUTOBROWSER_LOG="+logPath); err != nil {
		t.Fatalf("autobrowser: %v\n%s", err, out)
	}
	got := client.Received()
	if len(got) != 1 || got[0].Get("code") == "" || got[0].Get("state") != "st-auto" {
		t.Fatalf("callbacks = %v, want one with a code and state=st-auto", got)
	}
	if b, err := os.ReadFile(logPath); err != nil || string(b) != authURL+"\n" {
		t.Errorf("AUTOBROWSER_LOG = %q, %v; want the URL", b, err)
	}

	// Wrong credentials: exit 1 with a clear message.
	out, err := runBrowser(t, bin, op, authURL, 40*time.Second, "TESTOP_PASSWORD=wrong")
	if err == nil || !strings.Contains(out, "username or password wrong") {
		t.Errorf("wrong password: err %v, output %q", err, out)
	}
}

// TestChromeBrowserLogin proves the real-browser BROWSER program works.
func TestChromeBrowserLogin(t *testing.T) {
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no Chromium at %s: .ci/run must install chromium (apt-get install -y chromium)", chromium)
		}
		t.Skipf("SKIPPED: no Chromium at %s, so the real-browser login is NOT tested (apt-get install -y chromium; CI=true makes this a failure)", chromium)
	}
	if testing.Short() {
		t.Skip("SKIPPED in -short mode: starts a real Chromium")
	}
	bin := buildProgram(t, "chromebrowser")
	op := testop.StartT(t, testop.Options{})
	client := testop.StartStandInClient(t) // stand-in for the program under test
	_, challenge := testop.PKCE()
	authURL := op.AuthorizationURL(testop.NativeClientID, client.RedirectURI, "st-chrome", challenge, "openid")

	start := time.Now()
	out, err := runBrowser(t, bin, op, authURL, 90*time.Second)
	if err != nil {
		t.Fatalf("chromebrowser: %v\n%s", err, out)
	}
	t.Logf("chromebrowser took %s", time.Since(start).Round(time.Millisecond))
	got := client.Received()
	if len(got) == 0 || got[0].Get("code") == "" || got[0].Get("state") != "st-chrome" {
		t.Fatalf("callbacks = %v, want one with a code and state=st-chrome", got)
	}
	if n := op.Requests(testop.PathLogin); n != 2 {
		t.Errorf("requests to %s = %d, want 2 (form + POST)", testop.PathLogin, n)
	}

	// Wrong credentials: exit 1 with the OP's message.
	out, err = runBrowser(t, bin, op, authURL, 90*time.Second, "TESTOP_PASSWORD=wrong")
	if err == nil || !strings.Contains(out, "username or password wrong") {
		t.Errorf("wrong password: err %v, output %q", err, out)
	}
}
