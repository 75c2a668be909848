package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/wasmlogin/wasmlogin/internal/dexop"
	"github.com/wasmlogin/wasmlogin/internal/testop"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// Logout revokes at the server (RFC 7009), and forgets locally whatever
// the server says.

func TestLogoutRevokesBothTokens(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.autobrowser)
	w.login("--profile", "me")
	rec := w.stored("me")
	rt, at := refreshTokenOf(rec), storedAccessToken(rec)
	if !accepted(t, op, at) {
		t.Fatal("the access token should work before logout")
	}
	revokes := op.Requests(testop.PathRevoke)
	r := w.must("logout", "--profile", "me")
	if r.stderr != `Signed out of profile "me": revoked the refresh and access tokens at the server, and deleted them from this machine.`+"\n" {
		t.Fatalf("logout said %q", r.stderr)
	}
	if n := op.Requests(testop.PathRevoke) - revokes; n != 2 {
		t.Fatalf("%d revocation requests, want 2", n)
	}
	// The server itself no longer honours them.
	if code := refreshDirectly(t, op, rt); code != "invalid_grant" {
		t.Fatalf("the revoked refresh token still works at the token endpoint (error %q)", code)
	}
	if accepted(t, op, at) {
		t.Fatal("the revoked access token is still accepted")
	}
	if w.hasStored("me") {
		t.Fatal("the record is still stored")
	}

	w.login("--profile", "j")
	var res api.LogoutResult
	decode(t, w.must("logout", "--profile", "j", "--json").stdout, &res)
	if res.Profile != "j" || !res.Removed || strings.Join(res.Revoked, ",") != "refresh_token,access_token" || res.RevocationNote != "" {
		t.Fatalf("logout --json: %+v", res)
	}
}

// Dex publishes no revocation endpoint.
func TestLogoutWithoutRevocationEndpoint(t *testing.T) {
	dex := dexop.StartT(t, dexop.Options{})
	w := newWorld(t, &testop.OP{}, bins.dexbrowser)
	w.must("login", "--issuer", dex.Issuer, "--client-id", dexop.NativeClientID, "--scopes", "openid offline_access",
		"--redirect-host", "localhost", "--profile", "dex", "--timeout", "60s")
	r := w.must("logout", "--profile", "dex")
	if r.stderr != `Signed out of profile "dex": the server has no revocation endpoint; forgot them locally.`+"\n" {
		t.Fatalf("logout said %q", r.stderr)
	}
	if w.hasStored("dex") {
		t.Fatal("the record is still stored")
	}
	wantFail(t, w.run("token", "--profile", "dex"), 3, `no profile "dex"`)
}

// A revocation endpoint that fails (a fault fixture, not a provider: a
// server answering 503, and a port where nothing listens) does not keep
// the tokens on this machine.
func TestLogoutWhenRevocationFails(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	var hits atomic.Int32
	fault := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(rw, "maintenance", http.StatusServiceUnavailable)
	}))
	defer fault.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/revoke"
	ln.Close()

	w := newWorld(t, op, bins.autobrowser)
	w.login("--profile", "down", "--revocation-url", fault.URL+"/revoke")
	w.login("--profile", "gone", "--revocation-url", closed)

	r := w.must("logout", "--profile", "down")
	if r.stderr != `Signed out of profile "down": revocation failed (the server answered HTTP 503 with the text "maintenance"); `+
		`forgot them locally.`+"\n" || hits.Load() != 2 {
		t.Fatalf("logout said %q after %d requests", r.stderr, hits.Load())
	}
	r = w.must("logout", "--profile", "gone")
	if !strings.HasPrefix(r.stderr, `Signed out of profile "gone": revocation failed (the revocation endpoint could not be reached: failed connecting to http://`) ||
		!strings.HasSuffix(r.stderr, "; forgot them locally.\n") {
		t.Fatalf("logout said %q", r.stderr)
	}
	for _, p := range []string{"down", "gone"} {
		if w.hasStored(p) {
			t.Fatalf("profile %s is still stored", p)
		}
		wantFail(t, w.run("token", "--profile", p), 3, "no profile")
	}
}

func TestUserinfo(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.autobrowser)
	w.login()
	r := w.must("userinfo")
	for _, want := range []string{"Userinfo:\n", "  sub: id1\n", "  email: test-user@zitadel.ch\n", "  email_verified: true\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("userinfo output lacks %q:\n%s", want, r.stdout)
		}
	}
	var s api.Session
	decode(t, w.must("status", "--json").stdout, &s)
	if at := storedAccessToken(w.stored(s.Profile)); strings.Contains(r.stdout+r.stderr, at) {
		t.Fatal("userinfo printed the access token")
	}
	var u api.UserinfoResult
	decode(t, w.must("userinfo", "--json").stdout, &u)
	if u.Profile != s.Profile || u.Claims["sub"] != "id1" {
		t.Fatalf("userinfo --json: %+v", u)
	}
	w.must("logout")
	wantFail(t, w.run("userinfo"), 3, "not signed in")
}
