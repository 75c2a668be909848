package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/internal/testop"
	"github.com/wasmlogin/wasmlogin/internal/testop/autologin"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// The device flow (RFC 8628) through the real host and plugin against
// zitadel's OP. Its polling interval is fixed at 5 s, so each sign-in takes
// one interval; the tests run in parallel to overlap those waits.

const (
	codeLine = `^\s*Code: (\S+)$`
	uriLine  = `open (\S+) and enter this code`
)

func deviceLoginArgs(op *testop.OP, extra ...string) []string {
	return append([]string{"login", "--issuer", op.Issuer, "--client-id", testop.NativeClientID,
		"--scopes", "openid profile email offline_access", "--timeout", "60s"}, extra...)
}

// The user approves on another device: the test reads the code the host
// printed and approves it on the OP's pages, as a person would.
func TestDeviceSignInApproved(t *testing.T) {
	t.Parallel()
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.autobrowser)
	r := w.start(t, nil, deviceLoginArgs(op, "--device", "--no-open", "--json")...)
	r.await(`^Signing in with the device flow: you asked for the device flow\.$`, 10*time.Second)
	uri := r.await(uriLine, 10*time.Second)[1]
	code := r.await(codeLine, time.Second)[1]
	if uri != op.URL("/device") {
		t.Fatalf("verification URI %q", uri)
	}
	approved := make(chan error, 1)
	go func() {
		approved <- autologin.ApproveDevice(context.Background(), uri, code, op.Username, op.Password, true)
	}()
	res := r.wait(30 * time.Second)
	if err := <-approved; err != nil {
		t.Fatal(err)
	}
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	var s api.Session
	decode(t, res.stdout, &s)
	if s.Subject != "id1" || s.Issuer != op.Issuer || !s.HasRefreshToken || s.Claims["nonce"] != nil {
		t.Fatalf("session %+v", s)
	}
	// Plain output (not a terminal): progress lines, no QR code.
	if !regexp.MustCompile(`(?m)^Waiting for you to approve the sign-in: [45]:\d\d left$`).MatchString(res.stderr) ||
		strings.ContainsAny(res.stderr, "▀▄█") || strings.Contains(res.stderr, "\r") {
		t.Fatalf("progress output:\n%q", res.stderr)
	}
	// Stored like a browser sign-in: token and status work.
	if tok := strings.TrimSpace(w.must("token").stdout); tok == "" {
		t.Fatal("no token after a device sign-in")
	}
	if got := w.must("status", "--json").stdout; !strings.Contains(got, `"subject": "id1"`) {
		t.Fatalf("status %s", got)
	}
}

func TestDeviceSignInDenied(t *testing.T) {
	t.Parallel()
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.autobrowser)
	r := w.start(t, nil, deviceLoginArgs(op, "--device", "--no-open")...)
	uri := r.await(uriLine, 10*time.Second)[1]
	code := r.await(codeLine, time.Second)[1]
	if err := autologin.ApproveDevice(context.Background(), uri, code, op.Username, op.Password, false); err != nil {
		t.Fatal(err)
	}
	res := r.wait(30 * time.Second)
	if res.code != 6 || !strings.Contains(res.stderr, "login: the sign-in was denied on the verification page; nothing was stored (run login again to retry)") {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	if st := w.run("status"); st.code != 3 {
		t.Fatalf("status after a denied sign-in: exit %d %s", st.code, st.stderr)
	}
}

// Over SSH with no browser configured, login picks the device flow by
// itself and says why in one line. Ctrl-C then ends it cleanly.
func TestRemoteSessionChoosesDeviceFlowAndCtrlCCancels(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.autobrowser)
	r := w.start(t, []string{"SSH_CONNECTION=203.0.113.7 50000 192.0.2.1 22", "BROWSER="}, deviceLoginArgs(op)...)
	r.await(`^Signing in with the device flow: this looks like an SSH session or a machine without a display, and the server offers the device flow\.$`, 10*time.Second)
	r.await(codeLine, 10*time.Second)
	r.interrupt()
	start := time.Now()
	res := r.wait(10 * time.Second)
	if res.code == 0 || !strings.HasSuffix(strings.TrimSpace(res.stderr), "login: cancelled") ||
		strings.Contains(res.stderr, "goroutine") || strings.Contains(res.stderr, "panic") {
		t.Fatalf("after Ctrl-C: exit %d\n%s", res.code, res.stderr)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatalf("Ctrl-C took %s to stop the login", time.Since(start))
	}
	if strings.Contains(res.stderr, "Could not open a browser") {
		t.Fatal("a browser was tried in an SSH session without BROWSER")
	}
}

// --device where the server has no device endpoint (here: explicit
// endpoints, so nothing names one) says so, and what to do instead.
func TestDeviceFlagWithoutDeviceEndpoint(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.autobrowser)
	res := w.run("login", "--client-id", testop.NativeClientID, "--auth-url", op.URL(testop.PathAuthorize),
		"--token-url", op.URL(testop.PathToken), "--device")
	if res.code != 2 || !strings.Contains(res.stderr,
		"login: the device flow is not available: the configured endpoints include no device authorization endpoint; sign in with the browser flow instead") {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
}

// Over SSH, against a server without a device flow, the browser flow is
// still used (BROWSER is set, so a browser can be opened), and the reason
// says so.
func TestRemoteWithoutDeviceFlowUsesBrowser(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.autobrowser)
	r := w.start(t, []string{"SSH_TTY=/dev/pts/7"}, "login", "--issuer", op.Issuer, "--client-id", testop.NativeClientID,
		"--auth-url", op.URL(testop.PathAuthorize), "--token-url", op.URL(testop.PathToken), "--jwks-url", op.URL(testop.PathKeys),
		"--timeout", "30s")
	r.stdin.Close()
	res := r.wait(30 * time.Second)
	if res.code != 0 || !strings.Contains(res.stderr,
		"Signing in with the browser flow: this looks like an SSH session or a machine without a display, but the server offers no device flow.") ||
		!strings.Contains(res.stderr, "Signed in to "+op.Issuer) {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
}
