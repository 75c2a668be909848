package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/internal/dexop"
	"github.com/wasmlogin/wasmlogin/internal/testop"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// Sign-ins against Dex, the second real server, through the real host.
// The mock connector signs the user in without a form; dexbrowser plays the
// browser (code flow redirects, or the device page).

// newBareWorld is a world for servers other than testop's: its TESTOP_*
// variables are unused.
func newBareWorld(t *testing.T, browser string) *world {
	return newWorld(t, &testop.OP{Username: "unused", Password: "unused"}, browser)
}

// The browser flow against Dex, then Dex's way of refusing a dead refresh
// token (invalid_request, not invalid_grant), which must read as "log in
// again" like everywhere else.
func TestDexBrowserSignInAndDeadRefreshToken(t *testing.T) {
	op := dexop.StartT(t, dexop.Options{})
	w := newBareWorld(t, bins.dexbrowser)
	r := w.must("login", "--issuer", op.Issuer, "--client-id", dexop.NativeClientID,
		"--scopes", "openid email offline_access", "--timeout", "30s")
	if !strings.Contains(r.stderr, "Signing in with the browser flow: a browser can be opened on this machine.") ||
		!strings.Contains(r.stderr, "Signed in to "+op.Issuer+" as "+dexop.MockEmail) {
		t.Fatalf("login output:\n%s", r.stderr)
	}
	var s api.Session
	decode(t, w.must("status", "--json").stdout, &s)
	if s.Subject != dexop.MockSubject || !s.HasRefreshToken {
		t.Fatalf("status %+v", s)
	}
	rt := refreshTokenOf(w.stored(s.Profile))
	if code := dexRefresh(t, op, rt); code != "" {
		t.Fatalf("out-of-band refresh: %s", code)
	}
	if code := dexRefresh(t, op, rt); code != "invalid_request" {
		t.Fatalf("Dex's answer to a reused refresh token is %q; this test expects invalid_request", code)
	}
	res := w.run("token", "--force-refresh")
	if res.code != 3 || !strings.Contains(res.stderr, "the refresh token is no longer valid (expired or revoked); run login again") {
		t.Fatalf("dead refresh token: exit %d\n%s", res.code, res.stderr)
	}
}

func dexRefresh(t *testing.T, op *dexop.OP, refreshToken string) string {
	t.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}, "client_id": {dexop.NativeClientID}}
	resp, err := http.PostForm(op.URL(dexop.PathToken), form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Error string }
	json.NewDecoder(resp.Body).Decode(&body)
	return body.Error
}

// Over SSH with BROWSER set, on a terminal: the device flow is chosen, the
// browser is opened at verification_uri_complete (dexbrowser approves the
// code there), a QR code is drawn and the time left is shown on one line
// rewritten in place. `script` gives the host a pseudo-terminal.
func TestDexDeviceSignInOnATerminal(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("script"); err != nil {
		t.Skip("SKIPPED LOUDLY: script (util-linux) is not installed; it provides the terminal for this test")
	}
	op := dexop.StartT(t, dexop.Options{})
	w := newBareWorld(t, bins.dexbrowser)
	line := shellQuote(bins.host, "login", "--issuer", op.Issuer, "--client-id", dexop.NativeClientID, "--timeout", "30s")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "script", "-qefc", line, "/dev/null")
	cmd.Env = append(append([]string{}, w.env...), "SSH_CONNECTION=203.0.113.7 50000 192.0.2.1 22")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"Signing in with the device flow: this looks like an SSH session or a machine without a display, and the server offers the device flow.",
		"A browser was opened; check that it shows the same code before you approve.",
		"Or scan this code with a phone",
		"▀", "▄",
		"\r\x1b[KWaiting for you to approve the sign-in: ",
		"Signed in to " + op.Issuer,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("terminal output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "left\r\nSigned in") {
		t.Error("the progress line was not cleared before the result")
	}
}

// A code that expires before anyone approves it: exit 3, run login again.
// The plugin knows the lifetime, so it stops without asking the server.
func TestDexDeviceCodeExpires(t *testing.T) {
	op := dexop.StartT(t, dexop.Options{DeviceRequestLifetime: 2 * time.Second})
	w := newBareWorld(t, bins.dexbrowser)
	start := time.Now()
	res := w.run("login", "--issuer", op.Issuer, "--client-id", dexop.NativeClientID, "--device", "--no-open")
	if res.code != 3 || !strings.Contains(res.stderr, "login: the code expired before the sign-in was approved; run login again") {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	if polls := op.Requests(dexop.PathToken); polls != 0 {
		t.Fatalf("%d polls for an expired code", polls)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Fatalf("waited %s for a code that expired after 2 s", d)
	}
}

// shellQuote builds a command line for script -c, which runs it with sh.
func shellQuote(args ...string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}
