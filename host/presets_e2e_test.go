package main

import (
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// The --provider presets end to end: the real host binary and plugin
// against fixtures of GitHub and Strava (fixture_*_test.go), which reproduce
// their documented formats. Each explicit --auth-url/--token-url overrides
// the preset's endpoint so that the preset points at the fixture.

func (w *world) githubLogin(f *fixture, client string, extra ...string) result {
	w.t.Helper()
	args := append([]string{"login", "--provider", "github", "--client-id", client,
		"--auth-url", f.URL + "/login/oauth/authorize", "--token-url", f.URL + "/login/oauth/access_token",
		"--profile", "gh", "--timeout", "20s"}, extra...)
	return w.run(args...)
}

// A GitHub App: expiring user tokens, a refresh token that rotates, no
// OpenID Connect; the secret goes in the form body, Accept asks for JSON.
func TestPresetGitHubApp(t *testing.T) {
	const client, secret = "Iv1.8a61f9b3a7aba766", "fixture-gh-secret"
	f := startGitHub(t, client, secret, githubOpts{})
	w := newFixtureWorld(t, "GH_SECRET="+secret)
	start := time.Now()
	if r := w.githubLogin(f, client, "--client-secret-env", "GH_SECRET"); r.code != 0 {
		t.Fatalf("login: exit %d\n%s", r.code, r.stderr)
	}
	auth := f.requests("/login/oauth/authorize")[0].Query
	if auth.Get("code_challenge_method") != "S256" || auth.Get("nonce") != "" || auth.Has("scope") {
		t.Fatalf("authorization request %v: want PKCE, no nonce (no OIDC), no default scope", auth)
	}
	exchange := f.requests("/login/oauth/access_token")[0]
	if exchange.Accept != "application/json" || exchange.Form.Get("client_secret") != secret || exchange.Basic {
		t.Fatalf("code exchange: Accept %q, secret in form %v, Basic %v", exchange.Accept, exchange.Form.Get("client_secret") == secret, exchange.Basic)
	}
	rec := w.stored("gh")
	rt1 := refreshTokenOf(rec)
	if !strings.HasPrefix(rt1, "ghr_") || !near(expiresAt(rec), start.Add(8*time.Hour)) {
		t.Fatalf("stored refresh token %q, expiry %d: want ghr_ and 8 hours", rt1, expiresAt(rec))
	}
	if tok := strings.TrimSpace(w.must("token", "--profile", "gh").stdout); tok != accessTokenIn(rec) || !strings.HasPrefix(tok, "ghu_") {
		t.Fatalf("token %q, stored %q", tok, accessTokenIn(rec))
	}
	var s api.Session
	decode(t, w.must("status", "--profile", "gh", "--json").stdout, &s)
	if s.Issuer != "" || s.Subject != "" || s.Claims != nil || !s.HasRefreshToken {
		t.Fatalf("status of a sign-in without OpenID Connect: %+v", s)
	}

	forced := strings.TrimSpace(w.must("token", "--profile", "gh", "--force-refresh").stdout)
	rt2 := refreshTokenOf(w.stored("gh"))
	switch {
	case forced == accessTokenIn(rec) || !strings.HasPrefix(forced, "ghu_"):
		t.Fatalf("force-refresh gave %q", forced)
	case rt2 == rt1 || !f.liveRefresh(rt2) || f.liveRefresh(rt1):
		t.Fatal("the rotated refresh token was not persisted (or the old one still works)")
	}

	// Six months later: GitHub answers bad_refresh_token with HTTP 200.
	f.dropRefreshTokens()
	r := w.run("token", "--profile", "gh", "--force-refresh")
	if r.code != 3 {
		t.Fatalf("dead refresh token: exit %d, want 3\n%s", r.code, r.stderr)
	}
	mustContain(t, "stderr", r.stderr, "run login again")
	if refreshTokenOf(w.stored("gh")) != rt2 {
		t.Fatal("a refused refresh changed the stored sign-in")
	}
}

// An OAuth App: a token that never expires and no refresh token, answered
// form-encoded (see githubOpts.formAlways).
func TestPresetGitHubOAuthAppFormEncoded(t *testing.T) {
	const client, secret = "Ov23liFixtureOAuthApp", "fixture-gh-secret"
	f := startGitHub(t, client, secret, githubOpts{formAlways: true})
	w := newFixtureWorld(t, "GH_SECRET="+secret)
	if r := w.githubLogin(f, client, "--client-secret-env", "GH_SECRET", "--scopes", "read:user repo"); r.code != 0 {
		t.Fatalf("login: exit %d\n%s", r.code, r.stderr)
	}
	if got := f.requests("/login/oauth/authorize")[0].Query.Get("scope"); got != "read:user repo" {
		t.Fatalf("scope %q", got)
	}
	rec := w.stored("gh")
	if !strings.HasPrefix(accessTokenIn(rec), "gho_") || expiresAt(rec) != 0 || refreshTokenOf(rec) != "" {
		t.Fatalf("stored %v: want a gho_ token without expiry or refresh token", rec["token"])
	}
	if tok := strings.TrimSpace(w.must("token", "--profile", "gh").stdout); tok != accessTokenIn(rec) {
		t.Fatalf("token %q", tok)
	}
	var s api.Session
	decode(t, w.must("status", "--profile", "gh", "--json").stdout, &s)
	if len(s.Scopes) != 2 || s.Scopes[0] != "read:user" || s.Scopes[1] != "repo" || s.ExpiresAt != 0 {
		t.Fatalf("status %+v: want GitHub's granted \"read:user,repo\" as two scopes, no expiry", s)
	}
	r := w.run("token", "--profile", "gh", "--force-refresh")
	if r.code != 3 {
		t.Fatalf("force-refresh without a refresh token: exit %d\n%s", r.code, r.stderr)
	}
	mustContain(t, "stderr", r.stderr, "no refresh token", "run login again")
}

// What the user sees when GitHub refuses, or when the preset needs more.
func TestPresetGitHubErrors(t *testing.T) {
	const client, secret = "Iv1.8a61f9b3a7aba766", "fixture-gh-secret"
	f := startGitHub(t, client, secret, githubOpts{codesExpire: true})
	w := newFixtureWorld(t, "GH_SECRET="+secret)

	r := w.githubLogin(f, client) // no secret, no terminal to ask on
	if r.code != 2 {
		t.Fatalf("login without the secret: exit %d\n%s", r.code, r.stderr)
	}
	mustContain(t, "stderr", r.stderr, "GitHub requires the client secret", "--client-secret-env NAME", "https://github.com/settings/developers")
	if n := len(f.requests("/login/oauth/authorize")); n != 0 {
		t.Fatalf("the browser was sent to GitHub %d times before the secret was known", n)
	}

	r = w.run("login", "--provider", "github")
	if r.code != 2 {
		t.Fatalf("login without a client ID: exit %d\n%s", r.code, r.stderr)
	}
	mustContain(t, "stderr", r.stderr, "--client-id", "https://github.com/settings/developers")

	// bad_verification_code with HTTP 200: a failure, named as GitHub named it.
	r = w.githubLogin(f, client, "--client-secret-env", "GH_SECRET")
	if r.code != 6 {
		t.Fatalf("login with a refused code: exit %d\n%s", r.code, r.stderr)
	}
	mustContain(t, "stderr", r.stderr, "bad_verification_code", "The code passed is incorrect or expired.")
	if strings.Contains(r.stderr, secret) {
		t.Fatal("the client secret was printed")
	}
	if r := w.run("token", "--profile", "gh"); r.code != 3 {
		t.Fatalf("a refused login stored something: token exit %d", r.code)
	}
}

// Strava: comma-separated scopes, the secret in the form body, expires_at,
// a refresh token that rotates, an athlete object to ignore.
func TestPresetStrava(t *testing.T) {
	const client, secret = "12345", "fixture-strava-secret"
	f := startStrava(t, client, secret)
	w := newFixtureWorld(t, "STRAVA_SECRET="+secret)
	login := []string{"login", "--provider", "strava", "--client-id", client, "--profile", "strava", "--timeout", "20s",
		"--auth-url", f.URL + "/oauth/authorize", "--token-url", f.URL + "/oauth/token"}

	r := w.run(login...)
	if r.code != 2 {
		t.Fatalf("login without the secret: exit %d\n%s", r.code, r.stderr)
	}
	mustContain(t, "stderr", r.stderr, "Strava requires the client secret", "--client-secret-env NAME", "--client-secret-prompt", "https://www.strava.com/settings/api")

	w.must(append(login, "--client-secret-env", "STRAVA_SECRET")...)
	if got := f.requests("/oauth/authorize")[0].Query.Get("scope"); got != "read,activity:read" {
		t.Fatalf("scope %q, want Strava's comma form", got)
	}
	if ex := f.requests("/oauth/token")[0]; ex.Form.Get("client_secret") != secret || ex.Basic {
		t.Fatal("the secret must go in the form body, as Strava documents")
	}
	rec := w.stored("strava")
	rt1 := refreshTokenOf(rec)
	if expiresAt(rec) != f.lastExpiry() || rt1 == "" {
		t.Fatalf("stored expiry %d, Strava's expires_at %d; refresh token %q", expiresAt(rec), f.lastExpiry(), rt1)
	}
	var tr api.TokenResult
	decode(t, w.must("token", "--profile", "strava", "--json").stdout, &tr)
	if tr.AccessToken != accessTokenIn(rec) || tr.Refreshed || tr.ExpiresAt != f.lastExpiry() {
		t.Fatalf("token %+v", tr)
	}
	decode(t, w.must("token", "--profile", "strava", "--force-refresh", "--json").stdout, &tr)
	rec = w.stored("strava")
	switch {
	case !tr.Refreshed || tr.AccessToken != accessTokenIn(rec):
		t.Fatalf("force-refresh %+v", tr)
	case refreshTokenOf(rec) == rt1 || f.liveRefresh(rt1) || !f.liveRefresh(refreshTokenOf(rec)):
		t.Fatal("the rotated refresh token was not persisted")
	case expiresAt(rec) != f.lastExpiry():
		t.Fatalf("expiry after refresh %d, want expires_at %d", expiresAt(rec), f.lastExpiry())
	}
}

// The presets' own checks, before anything reaches a server.
func TestPresetUsageErrors(t *testing.T) {
	w := newFixtureWorld(t)
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"--provider", "gitea", "--client-id", "x"}, []string{"gitea", "github, gitlab, google, microsoft, strava"}},
		{[]string{"--provider", "microsoft", "--client-id", "x", "--tenant", "consumers"}, []string{"--tenant common"}},
		{[]string{"--provider", "microsoft", "--client-id", "x", "--tenant", "contoso.onmicrosoft.com"}, []string{"tenant ID"}},
		{[]string{"--provider", "gitlab", "--client-id", "x", "--tenant", "common"}, []string{"--tenant applies only"}},
		{[]string{"--issuer", "https://idp.example", "--client-id", "x", "--tenant", "common"}, []string{"--provider microsoft"}},
	} {
		r := w.run(append([]string{"login"}, c.args...)...)
		if r.code != 2 {
			t.Errorf("login %v: exit %d, want 2\n%s", c.args, r.code, r.stderr)
			continue
		}
		mustContain(t, "stderr of login "+strings.Join(c.args, " "), r.stderr, c.want...)
	}
}

// GitHub's device flow through the preset's device endpoint: no secret,
// and the "still pending" answers arrive as errors with HTTP 200.
func TestPresetGitHubDeviceFlow(t *testing.T) {
	const client = "Iv1.8a61f9b3a7aba766"
	f := startGitHub(t, client, "never-sent", githubOpts{})
	w := newFixtureWorld(t)
	r := w.start(t, nil, "login", "--provider", "github", "--client-id", client, "--device", "--no-open", "--profile", "gh",
		"--auth-url", f.URL+"/login/oauth/authorize", "--token-url", f.URL+"/login/oauth/access_token", "--timeout", "30s")
	if code := r.await(codeLine, 10*time.Second)[1]; code != "WDJB-MJHT" {
		t.Fatalf("user code %q", code)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(f.requests("/login/oauth/access_token")) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond) // until the first poll got authorization_pending
	}
	f.approveDevice()
	if res := r.wait(20 * time.Second); res.code != 0 {
		t.Fatalf("device login: exit %d\n%s", res.code, res.stderr)
	}
	dev := f.requests("/login/device/code")
	if len(dev) != 1 || dev[0].Form.Has("client_secret") || len(f.requests("/login/oauth/access_token")) < 2 {
		t.Fatalf("device requests %v, polls %d: want one device request without a secret, a pending poll, then the token",
			dev, len(f.requests("/login/oauth/access_token")))
	}
	if rt := refreshTokenOf(w.stored("gh")); !strings.HasPrefix(rt, "ghr_") {
		t.Fatalf("stored refresh token %q", rt)
	}
	if tok := strings.TrimSpace(w.must("token", "--profile", "gh").stdout); !strings.HasPrefix(tok, "ghu_") {
		t.Fatalf("token %q", tok)
	}
}
