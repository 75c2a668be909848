package main

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/internal/testop"
)

// login --no-browser: the browser runs somewhere the loopback redirect
// cannot reach, so the user pastes the address it ended on. The test plays
// that user: it signs in over HTTP without following the last redirect
// (to the host's loopback listener) and pastes that redirect's Location.
func TestNoBrowserPastedRedirect(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.autobrowser)
	r := w.start(t, []string{"BROWSER="}, "login", "--issuer", op.Issuer, "--client-id", testop.NativeClientID,
		"--scopes", "openid email offline_access", "--no-browser", "--timeout", "30s")
	r.await(`^Signing in with the browser flow: you asked for the browser flow\.$`, 10*time.Second)
	authURL := r.await(`^\s+(http://\S+/auth\?\S+)$`, 10*time.Second)[1]
	r.await(`paste it here and press Enter`, 5*time.Second)

	// Something else pasted first: a hint, and the login goes on.
	r.stdin.Write([]byte("hello\n"))
	r.await(`^That is not the address this login waits for; it starts with http://127\.0\.0\.1:\d+/callback\? and goes on with code= or error=\. Paste the whole URL from the address bar\.$`, 5*time.Second)

	redirect := signInWithoutLastRedirect(t, op, authURL)
	r.stdin.Write([]byte("  " + redirect + "\n"))
	res := r.wait(20 * time.Second)
	if res.code != 0 || !strings.Contains(res.stderr, "Signed in to "+op.Issuer) {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	if strings.Contains(res.stderr, "Could not open a browser") {
		t.Fatal("--no-browser tried to open a browser")
	}
	if tok := strings.TrimSpace(w.must("token").stdout); tok == "" {
		t.Fatal("no token after a pasted sign-in")
	}
}

// A pasted redirect that does not belong to this login (a stale tab, a
// forged link) is refused by the plugin's state check, and the login keeps
// waiting for its own, which then signs in.
func TestNoBrowserPastedForeignRedirect(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.autobrowser)
	r := w.start(t, []string{"BROWSER="}, "login", "--issuer", op.Issuer, "--client-id", testop.NativeClientID,
		"--scopes", "openid email offline_access", "--no-browser", "--timeout", "30s")
	authURL := r.await(`^\s+(http://\S+/auth\?\S+)$`, 10*time.Second)[1]
	redirectURI := r.await(`^Waiting for the browser to come back to (\S+) \.\.\.$`, 10*time.Second)[1]
	r.stdin.Write([]byte(redirectURI + "?code=stolen&state=not-yours\n"))
	r.await(`^Ignored a redirect that is not this sign-in's: the redirect carried a wrong or missing state`, 10*time.Second)

	r.stdin.Write([]byte(signInWithoutLastRedirect(t, op, authURL) + "\n"))
	res := r.wait(20 * time.Second)
	if res.code != 0 || !strings.Contains(res.stderr, "Signed in to "+op.Issuer) {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
}

// signInWithoutLastRedirect logs in at zitadel's example OP like a browser
// (GET the authorization URL, POST the login form) but stops at the
// redirect that leaves the OP, and returns its Location: what the address
// bar shows when the page cannot load.
func signInWithoutLastRedirect(t *testing.T, op *testop.OP, authURL string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	opURL, _ := url.Parse(op.Issuer)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Host != opURL.Host {
				return http.ErrUseLastResponse
			}
			return nil
		}}
	resp, err := client.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := resp.Request.URL.Query().Get("authRequestID")
	if id == "" {
		t.Fatalf("no login page; ended at %s (HTTP %d)", resp.Request.URL, resp.StatusCode)
	}
	resp, err = client.PostForm(op.URL(testop.PathLogin), url.Values{"id": {id}, "username": {op.Username}, "password": {op.Password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode/100 != 3 || !strings.Contains(loc, "code=") {
		t.Fatalf("the OP did not redirect with a code: HTTP %d, Location %q", resp.StatusCode, loc)
	}
	return loc
}
