package main

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/internal/testop"
)

// Provider fixtures. Each fixture_<provider>_test.go file is a fixture
// reproducing that provider's documented response formats, not a real
// server: the real providers cannot be reached from tests, and their
// quirks (GitHub's HTTP 200 errors, Microsoft's string expires_in and
// tenant-templated issuer, Strava's expires_at and comma scopes, ...) are
// exactly what the standard-following servers in internal/testop never
// produce. This file is the plumbing they share: authorization codes,
// PKCE, refresh token rotation, an RSA key for ID tokens, a request log.

type fixture struct {
	t      *testing.T
	URL    string
	client string // the registered client ID
	secret string // "" for a public client

	handler http.Handler

	mu      sync.Mutex
	seq     int
	expiry  int64                            // the last expires_at a token answer named
	docs    map[string]func() map[string]any // discovery documents by path
	codes   map[string]url.Values            // code -> the authorization request
	refresh map[string]url.Values            // live refresh token -> the authorization request
	log     []fixtureRequest
}

// fixtureRequest is what the host sent, for assertions.
type fixtureRequest struct {
	Host   string
	Path   string
	Accept string
	Query  url.Values
	Form   url.Values
	Basic  bool
}

// startFixture serves routes on 127.0.0.1 and logs every request.
func startFixture(t *testing.T, client, secret string, routes func(f *fixture, mux *http.ServeMux)) *fixture {
	t.Helper()
	f := &fixture{t: t, client: client, secret: secret, codes: map[string]url.Values{}, refresh: map[string]url.Values{},
		docs: map[string]func() map[string]any{}}
	mux := http.NewServeMux()
	routes(f, mux)
	f.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		_, _, basic := r.BasicAuth()
		f.mu.Lock()
		f.log = append(f.log, fixtureRequest{Host: r.Host, Path: r.URL.Path, Accept: r.Header.Get("Accept"), Query: r.URL.Query(), Form: r.PostForm, Basic: basic})
		doc := f.docs[r.URL.Path]
		f.mu.Unlock()
		if doc != nil && r.Method == "GET" {
			writeJSON(w, 200, doc())
			return
		}
		mux.ServeHTTP(w, r)
	})
	f.URL = f.alsoServe()
	return f
}

// alsoServe starts one more origin with the same routes, for providers
// whose endpoints live on several hosts (the host learns them from
// discovery).
func (f *fixture) alsoServe() string {
	srv := httptest.NewServer(f.handler)
	f.t.Cleanup(srv.Close)
	return srv.URL
}

// handleDiscovery serves an OpenID Connect discovery document at the
// issuer's well-known path. It is set after the fixture serves, because
// the document names the fixture's own URLs.
func (f *fixture) handleDiscovery(doc map[string]any) {
	f.handleDiscoveryAt("/.well-known/openid-configuration", func() map[string]any { return doc })
}

func (f *fixture) handleDiscoveryAt(path string, doc func() map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.docs[path] = doc
}

func (f *fixture) setExpiry(unix int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.expiry = unix
}

func (f *fixture) lastExpiry() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.expiry
}

func (f *fixture) requests(path string) []fixtureRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fixtureRequest
	for _, r := range f.log {
		if r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// newToken makes a token value with the provider's prefix.
func (f *fixture) newToken(prefix string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	b := make([]byte, 12)
	rand.Read(b)
	return fmt.Sprintf("%s%d_%x", prefix, f.seq, b)
}

// authorize plays the provider's authorization endpoint after the user
// approved: it checks the client and the loopback redirect, and redirects
// back with a code, the state and extra parameters.
func (f *fixture) authorize(w http.ResponseWriter, r *http.Request, extra url.Values) {
	q := r.URL.Query()
	ru, err := url.Parse(q.Get("redirect_uri"))
	switch {
	case q.Get("client_id") != f.client:
		http.Error(w, "unknown client_id", http.StatusBadRequest)
		return
	case q.Get("response_type") != "code":
		http.Error(w, "response_type must be code", http.StatusBadRequest)
		return
	case err != nil || ru.Scheme != "http" || (ru.Hostname() != "127.0.0.1" && ru.Hostname() != "localhost"):
		http.Error(w, "redirect_uri is not a registered loopback URI", http.StatusBadRequest)
		return
	}
	code := f.newToken("code")
	f.mu.Lock()
	f.codes[code] = q
	f.mu.Unlock()
	back := ru.Query()
	back.Set("code", code)
	back.Set("state", q.Get("state"))
	for k, vs := range extra {
		back[k] = vs
	}
	ru.RawQuery = back.Encode()
	http.Redirect(w, r, ru.String(), http.StatusFound)
}

// redeem checks a code exchange the way every provider here does: the
// code is single-use, the redirect URI repeats, and a PKCE challenge sent
// with the authorization request must be answered (S256). It returns the
// authorization request, or ok=false.
func (f *fixture) redeem(form url.Values) (url.Values, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q, ok := f.codes[form.Get("code")]
	delete(f.codes, form.Get("code"))
	if !ok || form.Get("redirect_uri") != q.Get("redirect_uri") {
		return nil, false
	}
	if ch := q.Get("code_challenge"); ch != "" {
		sum := sha256.Sum256([]byte(form.Get("code_verifier")))
		if q.Get("code_challenge_method") != "S256" || base64.RawURLEncoding.EncodeToString(sum[:]) != ch {
			return nil, false
		}
	}
	return q, true
}

// issueRefresh makes a refresh token for the sign-in of q.
func (f *fixture) issueRefresh(prefix string, q url.Values) string {
	rt := f.newToken(prefix)
	f.mu.Lock()
	f.refresh[rt] = q
	f.mu.Unlock()
	return rt
}

// useRefresh redeems a refresh token; rotate kills it (the providers here
// that rotate revoke the old one).
func (f *fixture) useRefresh(rt string, rotate bool) (url.Values, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	q, ok := f.refresh[rt]
	if ok && rotate {
		delete(f.refresh, rt)
	}
	return q, ok
}

// liveRefresh says whether a refresh token still works at the provider.
func (f *fixture) liveRefresh(rt string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.refresh[rt]
	return ok
}

// dropRefreshTokens plays their expiry (or a revocation by the user).
func (f *fixture) dropRefreshTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.refresh)
}

// clientOK checks the client's credentials: in the form body, and also
// HTTP Basic when the provider's discovery says it accepts it.
func (f *fixture) clientOK(r *http.Request, basicToo bool) bool {
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if u, p, ok := r.BasicAuth(); ok && basicToo {
		id, _ = url.QueryUnescape(u)
		secret, _ = url.QueryUnescape(p)
	}
	return id == f.client && (f.secret == "" || secret == f.secret)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// ---- ID tokens: one RS256 key per test binary ----

var (
	fixtureKeyOnce sync.Once
	fixtureKey     *rsa.PrivateKey
)

func signingKey() *rsa.PrivateKey {
	fixtureKeyOnce.Do(func() {
		var err error
		if fixtureKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return fixtureKey
}

const fixtureKid = "fixture-key-1"

func serveJWKS(w http.ResponseWriter, _ *http.Request) {
	k := signingKey().PublicKey
	writeJSON(w, 200, map[string]any{"keys": []any{map[string]any{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": fixtureKid,
		"n": base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes()),
	}}})
}

// idToken signs claims, adding iat and exp (one hour).
func idToken(claims map[string]any) string {
	now := time.Now()
	claims["iat"], claims["exp"] = now.Unix(), now.Add(time.Hour).Unix()
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	input := enc(map[string]any{"alg": "RS256", "typ": "JWT", "kid": fixtureKid}) + "." + enc(claims)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(nil, signingKey(), crypto.SHA256, sum[:])
	if err != nil {
		panic(err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// ---- the host under test ----

// newFixtureWorld is a world whose BROWSER is autobrowser: a fixture's
// authorize endpoint redirects straight back (no login form), which
// autobrowser follows to the host's loopback listener. autobrowser wants
// credentials set even when no form asks for them.
func newFixtureWorld(t *testing.T, env ...string) *world {
	t.Helper()
	w := newWorld(t, &testop.OP{Username: "fixture-user", Password: "unused"}, bins.autobrowser)
	w.env = append(w.env, env...)
	return w
}

// expiresAt is the stored access token's expiry (unix seconds, 0 = none).
func expiresAt(rec map[string]any) int64 {
	tok, _ := rec["token"].(map[string]any)
	f, _ := tok["expires_at"].(float64)
	return int64(f)
}

func accessTokenIn(rec map[string]any) string {
	tok, _ := rec["token"].(map[string]any)
	s, _ := tok["access_token"].(string)
	return s
}

// near says whether unix is within a few seconds of want.
func near(unix int64, want time.Time) bool {
	d := time.Unix(unix, 0).Sub(want)
	return d > -5*time.Second && d < 5*time.Second
}

// mustContain fails unless every part is in s.
func mustContain(t *testing.T, what, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			t.Fatalf("%s lacks %q:\n%s", what, p, s)
		}
	}
}
