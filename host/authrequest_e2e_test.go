package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmlogin/wasmlogin/internal/testop"
)

// browserThatRecords is a BROWSER program that only notes it was started,
// so a test can tell whether a browser was ever sent anywhere.
func browserThatRecords(t *testing.T) (program, marker string) {
	t.Helper()
	dir := t.TempDir()
	marker = filepath.Join(dir, "opened")
	program = filepath.Join(dir, "browser")
	if err := os.WriteFile(program, []byte("#!/bin/sh\necho \"$1\" > '"+marker+"'\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	return program, marker
}

// A wrong client ID, or a redirect URI the client does not have, is an
// error the server must not redirect back (RFC 6749 4.1.2.1): the browser
// shows it and the login used to wait out its whole timeout. zitadel/oidc
// refuses both with HTTP 400 on the authorization endpoint, which the
// plugin now asks before any browser opens.
func TestWrongClientFailsBeforeTheBrowserOpens(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	for _, c := range []struct {
		name  string
		extra []string
		want  string
	}{
		{"unknown client", []string{"--client-id", "no-such-client"},
			`the server refused the sign-in before a browser was opened: HTTP 400 with the text "unable to retrieve client by id"; ` +
				`check the client ID "no-such-client" and that the server has it registered with the redirect URI http://127.0.0.1/callback (any port)`},
		{"unregistered redirect URI", []string{"--client-id", testop.NativeClientID, "--redirect-path", "/elsewhere"},
			`the server refused the sign-in before a browser was opened: HTTP 400 with the text "The requested redirect_uri is missing in the client configuration.`},
	} {
		t.Run(c.name, func(t *testing.T) {
			browser, marker := browserThatRecords(t)
			w := newWorld(t, op, browser)
			// Were the check missing, this would wait the whole minute.
			r := w.run(append([]string{"login", "--issuer", op.Issuer, "--timeout", "60s"}, c.extra...)...)
			if r.code != 6 || !strings.Contains(r.stderr, c.want) {
				t.Fatalf("exit %d, want 6 with %q\nstderr: %s", r.code, c.want, r.stderr)
			}
			for _, never := range []string{"never came back", "context deadline exceeded", "Waiting for the browser", "Open this URL"} {
				if strings.Contains(r.stderr, never) {
					t.Fatalf("stderr says %q:\n%s", never, r.stderr)
				}
			}
			if _, err := os.Stat(marker); err == nil {
				t.Fatal("a browser was opened for a request the server refused")
			}
			if _, err := os.Stat(filepath.Join(w.config, "profiles.json")); err == nil {
				t.Fatal("a refused login wrote the profile index")
			}
		})
	}
	// The right client still signs in, the server having seen the
	// authorization request twice: once from the plugin, once from the browser.
	w := newWorld(t, op, bins.autobrowser)
	before := op.Requests(testop.PathAuthorize)
	w.login()
	if n := op.Requests(testop.PathAuthorize) - before; n != 2 {
		t.Fatalf("the authorization endpoint saw %d requests, want the plugin's check and the browser's", n)
	}
}

// Pushed authorization requests (RFC 9126), through the real binary. No
// test server here supports PAR: zitadel/oidc v3.45.0's discovery has no
// pushed_authorization_request_endpoint, nor has Dex's, so this fixture
// (fixture_par_test.go) reproduces the responses RFC 9126 documents.
func TestPushedAuthorizationRequests(t *testing.T) {
	const client = "par-client"
	f := startPAR(t, client)
	w := newFixtureWorld(t)
	w.must("login", "--issuer", f.URL, "--client-id", client, "--scopes", "read write", "--profile", "par", "--timeout", "20s")

	pushed := f.requests("/par")
	if len(pushed) != 1 {
		t.Fatalf("%d pushed requests, want 1", len(pushed))
	}
	form := pushed[0].Form
	for k, want := range map[string]string{"client_id": client, "response_type": "code", "scope": "read write", "code_challenge_method": "S256"} {
		if form.Get(k) != want {
			t.Errorf("pushed %s = %q, want %q", k, form.Get(k), want)
		}
	}
	if !strings.HasPrefix(form.Get("redirect_uri"), "http://127.0.0.1:") || len(form.Get("state")) < 43 || len(form.Get("code_challenge")) != 43 {
		t.Errorf("pushed request %v", form)
	}
	// The browser carried only the client and the reference (RFC 9126 4),
	// and nothing fetched the authorization URL before it.
	got := f.requests("/authorize")
	if len(got) != 1 || len(got[0].Query) != 2 || got[0].Query.Get("client_id") != client ||
		!strings.HasPrefix(got[0].Query.Get("request_uri"), "urn:ietf:params:oauth:request_uri:") {
		t.Fatalf("authorization requests %+v", got)
	}
	if tok := strings.TrimSpace(w.must("token", "--profile", "par").stdout); !strings.HasPrefix(tok, "par_at") {
		t.Fatalf("token %q", tok)
	}

	// A refused push comes back at once, with the server's error.
	browser, marker := browserThatRecords(t)
	w = newFixtureWorld(t, "BROWSER="+browser)
	r := w.run("login", "--issuer", f.URL, "--client-id", "wrong-client", "--timeout", "60s")
	if r.code != 6 || !strings.Contains(r.stderr, "login: the server refused the sign-in before a browser was opened: invalid_client (client authentication failed)") {
		t.Fatalf("wrong client: exit %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(marker); err == nil || len(f.requests("/authorize")) != 1 {
		t.Fatal("a browser was sent to the authorization endpoint after a refused push")
	}
}
