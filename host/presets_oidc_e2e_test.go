package main

import (
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// The OpenID Connect presets end to end, against fixtures of Google,
// Microsoft and GitLab; --issuer points each preset at its fixture.

// Google: the secret of a desktop client, access_type=offline and
// prompt=consent for a refresh token, endpoints on other hosts than the
// issuer, and refresh answers without a refresh token or an ID token.
func TestPresetGoogle(t *testing.T) {
	const client, secret = "1234-fixture.apps.googleusercontent.com", "GOCSPX-fixture"
	f := startGoogle(t, client, secret)
	w := newFixtureWorld(t, "GOOGLE_SECRET="+secret)
	start := time.Now()
	w.must("login", "--provider", "google", "--issuer", f.URL, "--client-id", client, "--client-secret-env", "GOOGLE_SECRET",
		"--profile", "google", "--timeout", "20s")
	auth := f.requests("/o/oauth2/v2/auth")[0].Query
	for k, want := range map[string]string{"access_type": "offline", "prompt": "consent", "scope": "openid email", "code_challenge_method": "S256"} {
		if auth.Get(k) != want {
			t.Fatalf("authorization request %s = %q, want %q", k, auth.Get(k), want)
		}
	}
	if ex := f.requests("/token")[0]; ex.Host == strings.TrimPrefix(f.URL, "http://") {
		t.Fatal("the fixture's token endpoint should be on another origin than the issuer")
	}
	var s api.Session
	decode(t, w.must("status", "--profile", "google", "--json").stdout, &s)
	if s.Claims["email"] != "fixture.user@gmail.example" || s.Subject != "110169484474386276334" || s.Issuer != f.URL || !near(s.ExpiresAt, start.Add(3599*time.Second)) {
		t.Fatalf("status %+v", s)
	}
	before := w.stored("google")
	rt, idt := refreshTokenOf(before), before["token"].(map[string]any)["id_token"]
	if !strings.HasPrefix(rt, "1//") {
		t.Fatalf("no refresh token stored: %q", rt)
	}

	w.must("token", "--profile", "google", "--force-refresh")
	after := w.stored("google")
	switch {
	case accessTokenIn(after) == accessTokenIn(before):
		t.Fatal("not refreshed")
	case refreshTokenOf(after) != rt:
		t.Fatal("Google sent no new refresh token: the old one must be kept")
	case after["token"].(map[string]any)["id_token"] != idt:
		t.Fatal("Google sent no new ID token: the old one must be kept")
	}
	decode(t, w.must("status", "--profile", "google", "--json").stdout, &s)
	if s.Claims["email"] != "fixture.user@gmail.example" || s.Subject != "110169484474386276334" {
		t.Fatalf("identity after a refresh without an ID token: %+v", s)
	}
}

// Microsoft, tenant "common": discovery names a templated issuer, the ID
// token names the user's tenant, the redirect host is localhost, and
// expires_in arrives as a string.
func TestPresetMicrosoftCommonTenant(t *testing.T) {
	const client = "6731de76-14a6-49ae-97bc-6eba6914391e"
	f := startMicrosoft(t, client, msOpts{})
	w := newFixtureWorld(t)
	start := time.Now()
	w.must("login", "--provider", "microsoft", "--issuer", f.URL+"/{tenant}/v2.0", "--client-id", client, "--profile", "ms", "--timeout", "20s")
	auth := f.requests("/common/oauth2/v2.0/authorize")
	// Two: the plugin shows the server the request, then the browser goes.
	if len(auth) != 2 || auth[0].Query.Encode() != auth[1].Query.Encode() || !strings.HasPrefix(auth[0].Query.Get("redirect_uri"), "http://localhost:") ||
		auth[0].Query.Get("scope") != "openid profile offline_access" {
		t.Fatalf("authorization requests %v", auth)
	}
	var s api.Session
	decode(t, w.must("status", "--profile", "ms", "--json").stdout, &s)
	userIssuer := f.URL + "/" + msUserTenant + "/v2.0"
	if s.Issuer != userIssuer || s.Claims["tid"] != msUserTenant || s.Subject == "" || !near(s.ExpiresAt, start.Add(3599*time.Second)) {
		t.Fatalf("status %+v; want issuer %s and the expiry from expires_in \"3599\"", s, userIssuer)
	}
	rt1 := refreshTokenOf(w.stored("ms"))
	var tr api.TokenResult
	decode(t, w.must("token", "--profile", "ms", "--force-refresh", "--json").stdout, &tr)
	rt2 := refreshTokenOf(w.stored("ms"))
	if !tr.Refreshed || rt2 == rt1 || f.liveRefresh(rt1) || !f.liveRefresh(rt2) || !near(tr.ExpiresAt, time.Now().Add(3599*time.Second)) {
		t.Fatalf("refresh %+v: rotation persisted %v", tr, rt2 != rt1)
	}
	var after api.Session
	decode(t, w.must("status", "--profile", "ms", "--json").stdout, &after)
	if after.Subject != s.Subject || after.Issuer != userIssuer {
		t.Fatalf("identity after refresh: %+v", after)
	}

	// A tenant of its own: the issuer is fixed, no template involved.
	w.must("login", "--provider", "microsoft", "--issuer", f.URL+"/{tenant}/v2.0", "--tenant", msUserTenant,
		"--client-id", client, "--profile", "ms-tenant", "--timeout", "20s")
	decode(t, w.must("status", "--profile", "ms-tenant", "--json").stdout, &s)
	if s.Issuer != userIssuer {
		t.Fatalf("tenant sign-in issuer %q", s.Issuer)
	}
}

// An ID token whose tid is not the tenant its iss names fails the
// documented issuer check.
func TestPresetMicrosoftForeignTenantRefused(t *testing.T) {
	const client = "6731de76-14a6-49ae-97bc-6eba6914391e"
	f := startMicrosoft(t, client, msOpts{foreignTid: true})
	w := newFixtureWorld(t)
	r := w.run("login", "--provider", "microsoft", "--issuer", f.URL+"/{tenant}/v2.0", "--client-id", client, "--profile", "ms", "--timeout", "20s")
	if r.code != 6 {
		t.Fatalf("exit %d, want 6\n%s", r.code, r.stderr)
	}
	mustContain(t, "stderr", r.stderr, "ID token was rejected", "issuer of tenant 9188040d-6c67-4c5b-b112-36a304b66dad")
}

// GitLab (self-managed through --issuer): PKCE without a secret, a
// refresh token that rotates on every refresh, no ID token on refresh.
func TestPresetGitLab(t *testing.T) {
	const client = "f2c6a7c4d1e0b9a8f7e6d5c4b3a29180f2c6a7c4d1e0b9a8f7e6d5c4b3a29180"
	f := startGitLab(t, client)
	w := newFixtureWorld(t)
	w.must("login", "--provider", "gitlab", "--issuer", f.URL, "--client-id", client, "--profile", "gl", "--timeout", "20s")
	if got := f.requests("/oauth/authorize")[0].Query.Get("scope"); got != "openid read_user" {
		t.Fatalf("scope %q", got)
	}
	var s api.Session
	decode(t, w.must("status", "--profile", "gl", "--json").stdout, &s)
	if s.Subject != "4711" || s.Issuer != f.URL {
		t.Fatalf("status %+v", s)
	}
	seen := map[string]bool{}
	for i := 0; i < 2; i++ {
		rt := refreshTokenOf(w.stored("gl"))
		seen[rt] = true
		w.must("token", "--profile", "gl", "--force-refresh")
		next := refreshTokenOf(w.stored("gl"))
		if seen[next] || f.liveRefresh(rt) || !f.liveRefresh(next) {
			t.Fatalf("refresh %d: the rotated refresh token was not persisted", i+1)
		}
	}
	var after api.Session
	decode(t, w.must("status", "--profile", "gl", "--json").stdout, &after)
	if after.Subject != "4711" || after.Claims["sub_legacy"] != "2ecf0c2a1f0b" {
		t.Fatalf("identity after refreshes without an ID token: %+v", after)
	}
}
