package main

import (
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/internal/testop"
)

// Any local process can send the loopback listener a request. Stray
// callbacks (a guessed code with a wrong state, a forged error) arriving
// before the browser must not end the login: each gets a 400 page, the
// terminal says it was ignored, and the browser's own redirect, arriving
// afterwards, signs in.
func TestLoginIgnoresStrayCallbacks(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.autobrowser)
	r := w.start(t, nil, "login", "--issuer", op.Issuer, "--client-id", testop.NativeClientID,
		"--scopes", "openid email offline_access", "--no-open", "--timeout", "60s")
	authURL := r.await(`^\s+(http://\S+/auth\?\S+)$`, 10*time.Second)[1]
	redirectURI := r.await(`^Waiting for the browser to come back to (\S+) \.\.\.$`, 10*time.Second)[1]

	client := &http.Client{Timeout: 10 * time.Second}
	for _, stray := range []string{"?code=stolen&state=wrong", "?error=access_denied&state=wrong", "?code=stolen"} {
		resp, err := client.Get(redirectURI + stray)
		if err != nil {
			t.Fatalf("stray %s: %v", stray, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "Not this sign-in") {
			t.Fatalf("stray %s: HTTP %d\n%s\nhost stderr:\n%s", stray, resp.StatusCode, body, r.stderrText())
		}
	}
	r.await(`^Ignored a redirect that is not this sign-in's: the redirect carried a wrong or missing state`, 5*time.Second)

	browser := exec.Command(bins.autobrowser, authURL)
	browser.Env = w.env
	if out, err := browser.CombinedOutput(); err != nil {
		t.Fatalf("the browser after the strays: %v\n%s\nhost stderr:\n%s", err, out, r.stderrText())
	}
	res := r.wait(30 * time.Second)
	if res.code != 0 || !strings.Contains(res.stderr, "Signed in to "+op.Issuer) {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	if tok := strings.TrimSpace(w.must("token").stdout); tok == "" || !accepted(t, op, tok) {
		t.Fatal("no valid token after the login")
	}
}
