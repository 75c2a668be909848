package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/internal/testop"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// The main job: browser sign-in with PKCE, a cached token, a refresh with
// rotation once the token nears expiry, status, logout.
func TestSignInTokenRefreshLogout(t *testing.T) {
	op := testop.StartT(t, testop.Options{AccessTokenLifetime: 35 * time.Second})
	w := newWorld(t, op, bins.autobrowser)

	r := w.login()
	if !strings.Contains(r.stderr, "Signed in to "+op.Issuer) || r.stdout != "" {
		t.Fatalf("login output: stdout %q stderr %q", r.stdout, r.stderr)
	}
	var s api.Session
	decode(t, w.must("status", "--json").stdout, &s)
	if s.Subject != "id1" || s.Issuer != op.Issuer || !s.HasRefreshToken || s.Claims["nonce"] == nil {
		t.Fatalf("status after login: %+v", s)
	}
	if strings.Contains(w.must("status").stdout, w.stored(s.Profile)["token"].(map[string]any)["access_token"].(string)) {
		t.Fatal("status printed the access token")
	}

	exchanges := op.Requests(testop.PathToken)
	first := w.must("token").stdout
	if tok := strings.TrimSpace(first); tok == "" || strings.Count(first, "\n") != 1 {
		t.Fatalf("token must print exactly the token and a newline, got %q", first)
	}
	if again := w.must("token").stdout; again != first || op.Requests(testop.PathToken) != exchanges {
		t.Fatalf("a fresh token must come from the store without a request (requests %d -> %d)", exchanges, op.Requests(testop.PathToken))
	}

	// Wait until the token is inside the 30 s margin: the next call refreshes.
	var tr api.TokenResult
	decode(t, w.must("token", "--json").stdout, &tr)
	oldRefresh := refreshTokenOf(w.stored(s.Profile))
	time.Sleep(time.Until(time.Unix(tr.ExpiresAt, 0).Add(-29 * time.Second)))
	refreshed := w.must("token").stdout
	if refreshed == first || op.Requests(testop.PathToken) != exchanges+1 {
		t.Fatalf("expected one refresh: token changed=%v, requests %d -> %d", refreshed != first, exchanges, op.Requests(testop.PathToken))
	}
	newRefresh := refreshTokenOf(w.stored(s.Profile))
	if newRefresh == "" || newRefresh == oldRefresh {
		t.Fatal("the rotated refresh token was not stored")
	}
	if code := refreshDirectly(t, op, oldRefresh); code != "invalid_grant" {
		t.Fatalf("the old refresh token should be dead after rotation, server said %q", code)
	}
	if forced := w.must("token", "--force-refresh").stdout; forced == refreshed {
		t.Fatal("force-refresh returned the same token")
	}

	w.must("logout")
	r = w.run("token")
	if r.code != 3 || !strings.Contains(r.stderr, "run login") {
		t.Fatalf("token after logout: exit %d, %q", r.code, r.stderr)
	}
}

// The same sign-in through a real browser: Debian's chromium, headless.
func TestSignInWithHeadlessChromium(t *testing.T) {
	if _, err := os.Stat("/usr/bin/chromium"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is missing: .ci/run must install it (apt-get install chromium)")
		}
		t.Skip("SKIPPED LOUDLY: /usr/bin/chromium is not installed; apt-get install chromium to run the real-browser sign-in")
	}
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.chromebrowser)
	w.login("--profile", "chromium")
	var s api.Session
	decode(t, w.must("status", "--profile", "chromium", "--json").stdout, &s)
	if s.Subject != "id1" {
		t.Fatalf("status: %+v", s)
	}
	if tok := strings.TrimSpace(w.must("token", "--profile", "chromium").stdout); tok == "" {
		t.Fatal("no token after a browser sign-in")
	}
}

// A refresh that fails for a transient reason keeps the stored sign-in; an
// invalid_grant says to log in again.
func TestFailedRefreshKeepsTokens(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.autobrowser)
	w.login()
	var s api.Session
	decode(t, w.must("status", "--json").stdout, &s)
	before := refreshTokenOf(w.stored(s.Profile))

	// The refresh token is used elsewhere: the server rotates it away.
	if code := refreshDirectly(t, op, before); code != "" {
		t.Fatalf("out-of-band refresh failed: %s", code)
	}
	r := w.run("token", "--force-refresh")
	if r.code != 3 || !strings.Contains(r.stderr, "run login again") {
		t.Fatalf("dead refresh token: exit %d, %q", r.code, r.stderr)
	}

	op.Close() // the server goes away
	r = w.run("token", "--force-refresh")
	if r.code != 4 || !strings.Contains(r.stderr, "try again") {
		t.Fatalf("unreachable server: exit %d, %q", r.code, r.stderr)
	}
	if after := refreshTokenOf(w.stored(s.Profile)); after != before {
		t.Fatal("a failed refresh changed the stored refresh token")
	}
}

func TestLoginTimesOutWithAClearMessage(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, "true") // a browser that never comes back
	r := w.run("login", "--issuer", op.Issuer, "--client-id", testop.NativeClientID, "--timeout", "2s")
	if r.code == 0 || !strings.Contains(r.stderr, "never came back") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestNoKeyringSaysWhatToDo(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.autobrowser)
	w.env = append(w.env, "DBUS_SESSION_BUS_ADDRESS=", "XDG_RUNTIME_DIR=/nonexistent", "WASMLOGIN_STORE=keyring")
	r := w.run("login", "--issuer", op.Issuer, "--client-id", testop.NativeClientID)
	if r.code != 5 || !strings.Contains(r.stderr, "--store=file") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestHelpAndUsageErrors(t *testing.T) {
	w := &world{t: t, env: os.Environ()}
	if r := w.run("--help"); r.code != 0 || !strings.Contains(r.stdout, "Exit codes:") {
		t.Fatalf("--help: exit %d", r.code)
	}
	if r := w.run("frobnicate"); r.code != 2 || !strings.Contains(r.stderr, "unknown command") {
		t.Fatalf("unknown command: exit %d %q", r.code, r.stderr)
	}
	if r := w.run("login", "--issuer", "https://idp.example"); r.code != 2 || !strings.Contains(r.stderr, "--client-id") {
		t.Fatalf("missing client id: exit %d %q", r.code, r.stderr)
	}
}

// refreshDirectly uses a refresh token outside the host, as another client
// would, and returns the server's error code ("" on success).
func refreshDirectly(t *testing.T, op *testop.OP, refreshToken string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}, "client_id": {testop.NativeClientID}}
	req, _ := http.NewRequestWithContext(ctx, "POST", op.URL(testop.PathToken), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Error string }
	json.NewDecoder(resp.Body).Decode(&body)
	return body.Error
}

func decode(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("not JSON (%v): %q", err, s)
	}
}

// A confidential client (Strava's case): the secret comes from an
// environment variable named by a flag, is kept in the secret store and
// used for refreshes later, and never lands in the profile index or output.
func TestConfidentialClientSecretFromEnv(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.autobrowser)
	w.env = append(w.env, "APP_SECRET="+testop.WebClientSecret)
	r := w.must("login", "--issuer", op.Issuer, "--client-id", testop.WebClientID,
		"--scopes", "openid offline_access", "--client-secret-env", "APP_SECRET", "--profile", "web")
	if strings.Contains(r.stdout+r.stderr, testop.WebClientSecret) {
		t.Fatal("the client secret was printed")
	}
	if rec := w.stored("web"); rec["client_secret"] != testop.WebClientSecret {
		t.Fatal("the client secret was not kept in the secret store")
	}
	index, err := os.ReadFile(filepath.Join(w.config, "profiles.json"))
	if err != nil || strings.Contains(string(index), testop.WebClientSecret) {
		t.Fatalf("profile index unreadable or holding the secret: %v", err)
	}
	// Later refreshes authenticate with the stored secret, without the variable.
	w.env = append(w.env, "APP_SECRET=")
	if tok := strings.TrimSpace(w.must("token", "--profile", "web", "--force-refresh").stdout); tok == "" {
		t.Fatal("no token from a refresh with the stored secret")
	}
	// A wrong secret is refused by the server, and the message says so.
	w.env = append(w.env, "APP_SECRET=wrong")
	r = w.run("login", "--issuer", op.Issuer, "--client-id", testop.WebClientID,
		"--client-secret-env", "APP_SECRET", "--profile", "web2")
	if r.code != 6 || !strings.Contains(r.stderr, "invalid_client") {
		t.Fatalf("wrong secret: exit %d, %q", r.code, r.stderr)
	}
}

// Several sign-ins at once: list them, pick the default, log out of one.
func TestProfilesListUseLogoutOne(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	op2 := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.autobrowser)
	w.login("--profile", "work")
	w.op = op2
	w.login("--profile", "home")

	list := w.must("profiles").stdout
	if !strings.Contains(list, "* home\t"+op2.Issuer) || !strings.Contains(list, "  work\t"+op.Issuer) {
		t.Fatalf("profiles:\n%s", list)
	}
	homeToken := w.must("token").stdout // the default is the last login
	w.must("use", "work")
	if workToken := w.must("token").stdout; workToken == homeToken || !accepted(t, op, strings.TrimSpace(workToken)) {
		t.Fatal("after `use work`, token must come from work's provider")
	}
	w.must("logout", "--profile", "home")
	var rows []map[string]any
	decode(t, w.must("profiles", "--json").stdout, &rows)
	if len(rows) != 1 || rows[0]["profile"] != "work" || rows[0]["default"] != true {
		t.Fatalf("after logging out of home: %v", rows)
	}
	if r := w.run("use", "nope"); r.code != 2 || !strings.Contains(r.stderr, "no profile") {
		t.Fatalf("use of an unknown profile: exit %d %q", r.code, r.stderr)
	}
}
