package main

import (
	"strings"
	"testing"

	"github.com/wasmlogin/wasmlogin/internal/testop"
)

// Values wrong in form are usage errors (exit 2) that show the form
// expected, found before anything is loaded or sent.
func TestURLFlagsAreCheckedAsUsage(t *testing.T) {
	w := newWorld(t, &testop.OP{}, "false")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--issuer", "notaurl"}, `login: --issuer "notaurl" is not a URL; give the full address with https://, e.g. --issuer https://login.example.com`},
		{[]string{"--issuer", "http://"}, `login: --issuer "http://" has no host name; give the full address, e.g. --issuer https://login.example.com`},
		{[]string{"--issuer", "login.example.com:443"}, `is not a URL`},
		{[]string{"--issuer", "http://login.example.com/tenant"}, `login: --issuer "http://login.example.com/tenant": plain http is only accepted for 127.0.0.1, ::1 and localhost; use https, e.g. --issuer https://login.example.com/tenant`},
		{[]string{"--issuer", "https://login.example.com/?tenant=a"}, `an issuer has no query or fragment`},
		{[]string{"--issuer", "ftp://login.example.com"}, `use an https URL`},
		{[]string{"--issuer", "https://user:pw@login.example.com"}, `a URL with a user name or password in it is not accepted`},
		{[]string{"--auth-url", "/oauth/authorize", "--token-url", "https://login.example.com/token"}, `--auth-url "/oauth/authorize" is not a URL`},
		{[]string{"--client-credentials", "--token-url", "token"}, `--token-url "token" is not a URL`},
	} {
		r := w.run(append(append([]string{"login"}, c.args...), "--client-id", "cli")...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, want 2 with %q\nstderr: %s", c.args, r.code, c.want, r.stderr)
		}
		if strings.Contains(r.stderr, ".well-known") {
			t.Errorf("%v: the message names a URL the user never gave: %s", c.args, r.stderr)
		}
	}
}

// Scopes follow RFC 6749 3.3: separated by spaces, each printable ASCII
// without '"' and '\'. A comma is split only for a provider that wants a
// comma list (Strava); elsewhere it is part of a scope, pointed out.
func TestScopesSyntax(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, "true") // a browser that never comes back
	login := []string{"login", "--issuer", op.Issuer, "--client-id", testop.NativeClientID, "--timeout", "1s"}
	r := w.run(append(login, "--scopes", `openid read"all`)...)
	if r.code != 2 || !strings.Contains(r.stderr, `login: scope "read\"all": character 5 ('"') is not allowed; a scope is printable ASCII without spaces, quotes or backslashes (RFC 6749 3.3)`) {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	r = w.run(append(login, "--scopes", "openid,email")...)
	if !strings.Contains(r.stderr, `warning: --scopes: "openid,email" is sent as one scope; scopes are separated by spaces (RFC 6749 3.3), e.g. --scopes "openid email"`) ||
		!strings.Contains(r.stderr, "scope=openid%2Cemail&") {
		t.Fatalf("comma in a scope:\n%s", r.stderr)
	}

	const client, secret = "12345", "fixture-strava-secret"
	f := startStrava(t, client, secret)
	fw := newFixtureWorld(t, "STRAVA_SECRET="+secret)
	fw.must("login", "--provider", "strava", "--client-id", client, "--client-secret-env", "STRAVA_SECRET", "--timeout", "20s",
		"--auth-url", f.URL+"/oauth/authorize", "--token-url", f.URL+"/oauth/token", "--scopes", "read,activity:read_all profile:read_all")
	if got := f.requests("/oauth/authorize")[0].Query.Get("scope"); got != "read,activity:read_all,profile:read_all" {
		t.Fatalf("Strava scope %q", got)
	}
}
