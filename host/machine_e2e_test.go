package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/host/profiles"
	"github.com/wasmlogin/wasmlogin/host/secretstore"
	"github.com/wasmlogin/wasmlogin/internal/testop"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// Client credentials, token exchange and userinfo end to end: the real
// host binary and plugin against zitadel/oidc's example OP.

// runStdin is world.run with stdin.
func (w *world) runStdin(stdin string, args ...string) result {
	w.t.Helper()
	cmd := exec.Command(bins.host, args...)
	cmd.Env = w.env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		w.t.Fatalf("running host %v: %v", args, err)
	}
	return r
}

// wantFail checks an expected failure's exit code and message.
func wantFail(t *testing.T, r result, code int, msg string) {
	t.Helper()
	if r.code != code || !strings.Contains(r.stderr, msg) {
		t.Fatalf("want exit %d with %q; got exit %d\nstdout: %s\nstderr: %s", code, msg, r.code, r.stdout, r.stderr)
	}
}

func (w *world) svcLogin(extra ...string) result {
	w.t.Helper()
	return w.run(append([]string{"login", "--client-credentials", "--issuer", w.op.Issuer,
		"--client-id", testop.ServiceClientID, "--client-secret-env", "SVC_SECRET"}, extra...)...)
}

// A cron job signs in as a service client, gets its token from the store,
// and gets a new one by the same grant once it nears expiry: exactly one
// more request to the token endpoint.
func TestClientCredentialsLoginTokenRenewal(t *testing.T) {
	// Just over the plugin's 30 s skew: the token is fresh for about 4 s.
	op := testop.StartT(t, testop.Options{AccessTokenLifetime: 34 * time.Second})
	w := newWorld(t, op, "false") // no browser may be involved
	w.env = append(w.env, "SVC_SECRET="+testop.ServiceClientSecret)

	requests := op.Requests(testop.PathToken)
	r := w.svcLogin("--scopes", "read write", "--profile", "svc")
	if r.code != 0 || r.stdout != "" || !strings.Contains(r.stderr, `Signed in to `+op.Issuer+` as client sid1 (profile "svc")`) ||
		strings.Contains(r.stderr, testop.ServiceClientSecret) {
		t.Fatalf("login: exit %d\nstdout %q\nstderr %q", r.code, r.stdout, r.stderr)
	}
	if op.Requests(testop.PathToken) != requests+1 {
		t.Fatalf("login made %d token requests", op.Requests(testop.PathToken)-requests)
	}
	var first api.TokenResult
	decode(t, w.must("token", "--json").stdout, &first)
	if again := strings.TrimSpace(w.must("token").stdout); again != first.AccessToken || first.Refreshed ||
		op.Requests(testop.PathToken) != requests+1 {
		t.Fatalf("a fresh token must come from the store without a request (%d requests)", op.Requests(testop.PathToken)-requests)
	}
	if rec := w.stored("svc"); rec["grant"] != "client_credentials" || rec["client_secret"] != testop.ServiceClientSecret {
		t.Fatalf("stored record: grant %v", rec["grant"])
	}
	// The index records the sandbox's allowlist as for a browser login.
	raw, err := os.ReadFile(filepath.Join(w.config, "profiles.json"))
	ix, lerr := profiles.Load(w.config)
	if err != nil || lerr != nil || strings.Contains(string(raw), testop.ServiceClientSecret) || ix.Default != "svc" ||
		!slices.Contains(ix.Profiles["svc"].Allowed, op.Issuer) || ix.Profiles["svc"].Provider.ClientID != testop.ServiceClientID {
		t.Fatalf("profile index (%v, %v):\n%s", err, lerr, raw)
	}
	var s api.Session
	decode(t, w.must("status", "--json").stdout, &s)
	if s.Profile != "svc" || s.ClientID != testop.ServiceClientID || s.HasRefreshToken || strings.Join(s.Scopes, " ") != "read write" {
		t.Fatalf("status: %+v", s)
	}
	time.Sleep(time.Until(time.Unix(first.ExpiresAt, 0).Add(-29 * time.Second)))
	renewed := strings.TrimSpace(w.must("token").stdout)
	if renewed == first.AccessToken || op.Requests(testop.PathToken) != requests+2 {
		t.Fatalf("expected one renewal: token changed=%v, requests %d", renewed != first.AccessToken, op.Requests(testop.PathToken)-requests)
	}
	if storedAccessToken(w.stored("svc")) != renewed {
		t.Fatal("the renewed token was not stored")
	}

	wantFail(t, w.run("userinfo"), 2, `profile "svc" is a client signed in as itself (client credentials): there is no user to ask the userinfo endpoint about`)

	// The example OP's revocation endpoint knows only its regular clients,
	// not the service user sid1: it refuses, and logout still forgets.
	r = w.must("logout")
	if !strings.Contains(r.stderr, `Signed out of profile "svc": revocation failed (the server refused: invalid_client`) ||
		!strings.HasSuffix(r.stderr, "; forgot them locally.\n") {
		t.Fatalf("logout: %q", r.stderr)
	}
	wantFail(t, w.run("token", "--profile", "svc"), 3, "run login")
}

// zitadel accepts both ways for the client to authenticate.
func TestClientCredentialsAuthMethods(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, "false")
	w.env = append(w.env, "SVC_SECRET="+testop.ServiceClientSecret)
	for _, m := range []string{"basic", "post"} {
		if r := w.svcLogin("--auth-method", m, "--profile", m); r.code != 0 {
			t.Fatalf("--auth-method %s: exit %d %q", m, r.code, r.stderr)
		}
		var tr api.TokenResult
		decode(t, w.must("token", "--profile", m, "--force-refresh", "--json").stdout, &tr)
		if !tr.Refreshed || tr.AccessToken == "" {
			t.Fatalf("--auth-method %s: renewal %+v", m, tr)
		}
	}
	if post := w.stored("post")["endpoints"].(map[string]any)["token_auth_methods"]; post.([]any)[0] != "client_secret_post" {
		t.Fatalf("the chosen method was not kept for renewals: %v", post)
	}

	// Signing in again needs only the profile: provider from the index,
	// secret from the store. --json prints the session, not the token.
	w.env = append(w.env, "SVC_SECRET=")
	r := w.must("login", "--client-credentials", "--profile", "basic", "--json")
	var s api.Session
	decode(t, r.stdout, &s)
	if s.Profile != "basic" || s.ClientID != testop.ServiceClientID || s.Issuer != op.Issuer ||
		strings.Contains(r.stdout, storedAccessToken(w.stored("basic"))) {
		t.Fatalf("login --json: %s", r.stdout)
	}
}

func TestClientCredentialsErrors(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, "false")
	w.env = append(w.env, "SVC_SECRET=not-the-secret-42", "EMPTY=")

	r := w.svcLogin("--profile", "bad")
	wantFail(t, r, 6, "the server refused: invalid_client; check the client id and the secret (--client-secret-env)")
	if strings.Contains(r.stdout+r.stderr, "not-the-secret-42") {
		t.Fatal("the secret was printed")
	}
	wantFail(t, w.run("token", "--profile", "bad"), 3, `no profile "bad"`)

	wantFail(t, w.run("login", "--client-credentials", "--issuer", op.Issuer, "--client-id", testop.ServiceClientID),
		2, "client credentials need the client's secret: put it in an environment variable and name it with --client-secret-env")
	wantFail(t, w.run("login", "--client-credentials", "--issuer", op.Issuer, "--client-id", "x", "--client-secret-env", "EMPTY"),
		2, "--client-secret-env EMPTY: that environment variable is empty")
	wantFail(t, w.run("login", "--client-credentials", "--issuer", op.Issuer), 2, "needs --client-id and --issuer (or --token-url)")
	wantFail(t, w.svcLogin("--auth-method", "jwt"), 2, `--auth-method "jwt": use basic or post`)
	wantFail(t, w.svcLogin("--revocation-url", "http://revoke.example/r"), 2, `--revocation-url "http://revoke.example/r": plain http is only accepted for 127.0.0.1`)
}

// Token exchange with zitadel's example OP. It takes a refresh token or an
// ID token as the subject. Two defects of zitadel/oidc v3.45.0 are shown as
// the user meets them: an opaque access token as subject crashes the
// handler (the connection drops), and requested_token_type jwt yields an
// empty access_token.
func TestTokenExchange(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.autobrowser)
	w.login("--profile", "user")
	w.env = append(w.env, "WEB_SECRET="+testop.WebClientSecret)
	w.must("login", "--issuer", op.Issuer, "--client-id", testop.WebClientID, "--client-secret-env", "WEB_SECRET",
		"--scopes", "openid", "--profile", "web", "--timeout", "60s")
	w.must("use", "user") // exchange must not depend on the default

	// A refresh token from a profile, for an access token: only the token
	// on stdout, and the provider accepts it as the same user.
	r := w.must("exchange", "--profile", "web", "--subject-profile", "user", "--subject-token-type", "refresh_token",
		"--requested-token-type", "access_token", "--audience", "api1", "--audience", "api2", "--scopes", "openid profile")
	tok := strings.TrimSpace(r.stdout)
	if tok == "" || strings.Count(r.stdout, "\n") != 1 || !accepted(t, op, tok) ||
		!strings.Contains(r.stderr, "Issued a urn:ietf:params:oauth:token-type:access_token (token type Bearer") {
		t.Fatalf("exchange: stdout %q stderr %q", r.stdout, r.stderr)
	}
	if tok == storedAccessToken(w.stored("user")) || tok == storedAccessToken(w.stored("web")) {
		t.Fatal("the exchange returned a stored token instead of a new one")
	}

	// The ID token, as JSON: issued_token_type reported.
	var res api.TokenExchangeResult
	decode(t, w.must("exchange", "--profile", "web", "--subject-profile", "user", "--subject-token-type", "id_token",
		"--requested-token-type", "urn:ietf:params:oauth:token-type:access_token", "--json").stdout, &res)
	if res.IssuedTokenType != "urn:ietf:params:oauth:token-type:access_token" || res.TokenType != "Bearer" ||
		res.ExpiresAt <= time.Now().Unix() || !accepted(t, op, res.AccessToken) {
		t.Fatalf("exchange --json: %+v", res)
	}

	// A token piped in; without requested_token_type zitadel issues a
	// refresh token, and the result says so.
	rt := refreshTokenOf(w.stored("user"))
	r = w.runStdin(rt+"\n", "exchange", "--profile", "web", "--subject-token-stdin", "--subject-token-type", "refresh_token", "--json")
	decode(t, r.stdout, &res)
	if r.code != 0 || res.IssuedTokenType != "urn:ietf:params:oauth:token-type:refresh_token" {
		t.Fatalf("exchange from stdin: exit %d %+v %q", r.code, res, r.stderr)
	}

	// The server's own refusal, passed on.
	wantFail(t, w.run("exchange", "--profile", "web", "--subject-profile", "user", "--subject-token-type", "id_token"),
		6, "exchanging the token: the server refused: server_error (exchanging id_token to refresh_token is not supported)")
	// zitadel/oidc v3.45.0 defects.
	wantFail(t, w.run("exchange", "--profile", "web", "--subject-profile", "user"),
		4, "exchanging the token: failed connecting to "+op.Issuer+": EOF")
	wantFail(t, w.run("exchange", "--profile", "web", "--subject-profile", "user", "--subject-token-type", "refresh_token",
		"--requested-token-type", "jwt"), 6, "exchanging the token: invalid token response: the response has no access_token")
}

func TestTokenExchangeUsageErrors(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.autobrowser)
	w.login("--profile", "user")
	wantFail(t, w.run("exchange", "--profile", "user"), 2, "exchange needs a subject: --subject-profile NAME, or --subject-token-stdin")
	wantFail(t, w.runStdin("x", "exchange", "--subject-profile", "user", "--subject-token-stdin"), 2, "not both")
	wantFail(t, w.runStdin("", "exchange", "--profile", "user", "--subject-token-stdin"), 2, "stdin is empty; pipe the token in")
	wantFail(t, w.runStdin("a b", "exchange", "--profile", "user", "--subject-token-stdin"), 2, "stdin holds more than one token")
	wantFail(t, w.run("exchange", "--profile", "user", "--subject-profile", "nobody"), 3, `no profile "nobody"`)
	wantFail(t, w.run("exchange", "--profile", "user", "--subject-profile", "user"), 2,
		`token exchange needs a confidential client, and profile "user" has no client secret; log that client in with --client-secret-env`)
	wantFail(t, w.run("exchange", "--profile", "user", "--subject-profile", "user", "--subject-token-type", "pat"), 2,
		`subject token type "pat" is neither a URI nor one of`)
	wantFail(t, w.run("exchange", "--profile", "user", "--subject-profile", "user", "--resource", "/api"), 2,
		"must be an absolute URI without a fragment")
	wantFail(t, w.run("exchange", "--profile", "user", "--subject-token", "x"), 2, "exchange: unknown flag --subject-token; `host exchange --help` lists its flags")
}

// hasStored says whether the secret store still holds a profile's record.
func (w *world) hasStored(profile string) bool {
	w.t.Helper()
	var store secretstore.Store = secretstore.Keyring(w.service)
	if w.file != "" {
		var err error
		if store, err = secretstore.EncryptedFile(w.file, []byte(filePassphrase)); err != nil {
			w.t.Fatal(err)
		}
	}
	_, found, err := store.Get("profile/" + profile)
	if err != nil {
		w.t.Fatal(err)
	}
	return found
}

func storedAccessToken(rec map[string]any) string {
	tok, _ := rec["token"].(map[string]any)
	s, _ := tok["access_token"].(string)
	return s
}
