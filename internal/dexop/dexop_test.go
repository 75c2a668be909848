package dexop_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/internal/dexop"
)

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func pkce() (verifier, challenge string) {
	verifier = rand.Text() + rand.Text()
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// standIn is a loopback listener standing in for the redirect_uri listener
// of a client program; it records the query of each /callback request.
type standIn struct {
	base string // http://HOST:PORT
	mu   sync.Mutex
	got  []url.Values
}

func startStandIn(t *testing.T) *standIn {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &standIn{base: "http://" + ln.Addr().String()}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/callback" {
			c.mu.Lock()
			c.got = append(c.got, r.URL.Query())
			c.mu.Unlock()
		}
		_, _ = w.Write([]byte("stand-in client: ok"))
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return c
}

// redirectURI is the callback URI with the given host name (127.0.0.1 or
// localhost) and the listener's port.
func (c *standIn) redirectURI(host string) string {
	u, _ := url.Parse(c.base)
	return "http://" + host + ":" + u.Port() + "/callback"
}

func (c *standIn) received() []url.Values {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]url.Values(nil), c.got...)
}

// postForm POSTs form to Dex and decodes the JSON answer.
func postForm(t *testing.T, op *dexop.OP, path string, form url.Values, basicUser, basicPass string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctxT(t), http.MethodPost, op.URL(path), strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicUser != "" {
		req.SetBasicAuth(url.QueryEscape(basicUser), url.QueryEscape(basicPass))
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (int, map[string]any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatalf("%s %s: HTTP %d, body not JSON: %v", req.Method, req.URL.Path, resp.StatusCode, err)
	}
	return resp.StatusCode, m
}

func userinfo(t *testing.T, op *dexop.OP, accessToken string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctxT(t), http.MethodGet, op.URL(dexop.PathUserinfo), nil)
	req.Header.Set("Authorization", "Bearer "+accessToken)
	return do(t, req)
}

// claims decodes a JWT's payload (no verification: Dex signed it, the test
// only reads it).
func claims(t *testing.T, jwt any) map[string]any {
	t.Helper()
	s, _ := jwt.(string)
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", s)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// login runs the code flow's front channel with FollowLogin and returns
// the code delivered to the stand-in client.
func login(t *testing.T, op *dexop.OP, clientID, redirectURI, challenge string, scopes ...string) string {
	t.Helper()
	c := startStandInFor(t, redirectURI)
	authURL := op.AuthorizationURL(clientID, redirectURI, "xyz", challenge, scopes...)
	final, err := dexop.FollowLogin(ctxT(t), authURL)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	got := c.received()
	if len(got) != 1 || got[0].Get("code") == "" || got[0].Get("state") != "xyz" {
		t.Fatalf("callbacks = %v (final URL %s), want one with a code and state=xyz", got, final)
	}
	return got[0].Get("code")
}

var standIns sync.Map // redirect URI -> *standIn, for login

func startStandInFor(t *testing.T, redirectURI string) *standIn {
	v, ok := standIns.Load(redirectURI)
	if !ok {
		t.Fatalf("no stand-in client for %s", redirectURI)
	}
	c := v.(*standIn)
	c.mu.Lock()
	c.got = nil
	c.mu.Unlock()
	return c
}

// newRedirect starts a stand-in client and returns its redirect URI.
func newRedirect(t *testing.T, host string) string {
	c := startStandIn(t)
	uri := c.redirectURI(host)
	standIns.Store(uri, c)
	t.Cleanup(func() { standIns.Delete(uri) })
	return uri
}

func exchange(t *testing.T, op *dexop.OP, code, redirectURI, verifier string) (int, map[string]any) {
	t.Helper()
	form := url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI},
		"client_id": {dexop.NativeClientID},
	}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	return postForm(t, op, dexop.PathToken, form, "", "")
}

func refresh(t *testing.T, op *dexop.OP, rt string) (int, map[string]any) {
	t.Helper()
	return postForm(t, op, dexop.PathToken, url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {dexop.NativeClientID},
	}, "", "")
}

func TestStartAndDiscovery(t *testing.T) {
	start := time.Now()
	op := dexop.StartT(t, dexop.Options{})
	t.Logf("Dex started in %s", time.Since(start).Round(time.Millisecond))
	if !strings.HasPrefix(op.Issuer, "http://127.0.0.1:") || strings.Count(op.Issuer, "/") != 2 {
		t.Fatalf("issuer = %q", op.Issuer)
	}
	req, _ := http.NewRequestWithContext(ctxT(t), http.MethodGet, op.URL(dexop.PathDiscovery), nil)
	status, d := do(t, req)
	if status != http.StatusOK || d["issuer"] != op.Issuer {
		t.Fatalf("discovery: HTTP %d, issuer %v, want %s", status, d["issuer"], op.Issuer)
	}
	for key, path := range map[string]string{
		"authorization_endpoint":        dexop.PathAuthorize,
		"token_endpoint":                dexop.PathToken,
		"userinfo_endpoint":             dexop.PathUserinfo,
		"introspection_endpoint":        dexop.PathIntrospect,
		"device_authorization_endpoint": dexop.PathDeviceCode,
		"jwks_uri":                      dexop.PathKeys,
	} {
		if d[key] != op.Issuer+path {
			t.Errorf("%s = %v, want %s", key, d[key], op.Issuer+path)
		}
	}
	for _, key := range []string{"revocation_endpoint", "end_session_endpoint"} {
		if v, ok := d[key]; ok {
			t.Errorf("%s = %v; Dex had none", key, v)
		}
	}
	grants, _ := json.Marshal(d["grant_types_supported"])
	if string(grants) != `["authorization_code","refresh_token","urn:ietf:params:oauth:grant-type:device_code","urn:ietf:params:oauth:grant-type:token-exchange"]` {
		t.Errorf("grant_types_supported = %s", grants)
	}
	if n := op.Requests(dexop.PathDiscovery); n != 1 {
		t.Errorf("Requests(discovery) = %d, want 1", n)
	}
}

// The code flow with PKCE for the public client, by hand, on both loopback
// host names with ephemeral ports; then the tokens' claims and userinfo.
func TestCodeFlowPKCE(t *testing.T) {
	op := dexop.StartT(t, dexop.Options{AccessTokenLifetime: 90 * time.Second})
	for _, host := range []string{"127.0.0.1", "localhost"} {
		t.Run(host, func(t *testing.T) {
			redirectURI := newRedirect(t, host)
			paths := []string{dexop.PathAuthorize, dexop.PathConnectorLogin, dexop.PathCallback}
			before := map[string]int{}
			for _, p := range paths {
				before[p] = op.Requests(p)
			}
			verifier, challenge := pkce()
			code := login(t, op, dexop.NativeClientID, redirectURI, challenge, "openid", "profile", "email", "groups", "offline_access")
			// A login is /auth -> /auth/mock -> /callback -> redirect_uri.
			for _, p := range paths {
				if n := op.Requests(p) - before[p]; n != 1 {
					t.Errorf("requests to %s during the login = %d, want 1", p, n)
				}
			}
			status, tok := exchange(t, op, code, redirectURI, verifier)
			if status != http.StatusOK {
				t.Fatalf("token: HTTP %d %v", status, tok)
			}
			if tok["access_token"] == nil || tok["id_token"] == nil || tok["refresh_token"] == nil || tok["token_type"] != "bearer" {
				t.Fatalf("token response: %v", tok)
			}
			if exp, _ := tok["expires_in"].(float64); exp < 88 || exp > 90 {
				t.Errorf("expires_in = %v, want ~90", tok["expires_in"])
			}
			if _, ok := tok["scope"]; ok {
				t.Errorf("token response has a scope (Dex sent none so far): %v", tok["scope"])
			}
			id := claims(t, tok["id_token"])
			if id["iss"] != op.Issuer || id["aud"] != dexop.NativeClientID || id["sub"] != dexop.MockSubject ||
				id["name"] != dexop.MockName || id["email"] != dexop.MockEmail || id["email_verified"] != true {
				t.Errorf("id_token claims: %v", id)
			}
			if g, _ := json.Marshal(id["groups"]); string(g) != `["`+dexop.MockGroup+`"]` {
				t.Errorf("groups = %s", g)
			}
			if _, ok := id["preferred_username"]; ok {
				t.Errorf("preferred_username = %v; the mock connector sets none", id["preferred_username"])
			}
			// The access token is a JWT too, with the same claims.
			if at := claims(t, tok["access_token"]); at["sub"] != dexop.MockSubject || at["aud"] != dexop.NativeClientID {
				t.Errorf("access token claims: %v", at)
			}
			if status, ui := userinfo(t, op, tok["access_token"].(string)); status != http.StatusOK || ui["sub"] != dexop.MockSubject {
				t.Errorf("userinfo: HTTP %d %v", status, ui)
			}
			// A code is single-use.
			if status, tok := exchange(t, op, code, redirectURI, verifier); status != http.StatusBadRequest || tok["error"] != "invalid_grant" {
				t.Errorf("reused code: HTTP %d %v, want invalid_grant", status, tok)
			}
		})
	}
}

// Refresh rotates; Dex answers a reused (rotated) refresh token with
// invalid_request, not invalid_grant.
func TestRefreshRotation(t *testing.T) {
	op := dexop.StartT(t, dexop.Options{})
	redirectURI := newRedirect(t, "127.0.0.1")
	verifier, challenge := pkce()
	code := login(t, op, dexop.NativeClientID, redirectURI, challenge, "openid", "offline_access")
	_, tok := exchange(t, op, code, redirectURI, verifier)
	rt1, _ := tok["refresh_token"].(string)
	at1, _ := tok["access_token"].(string)
	if rt1 == "" {
		t.Fatalf("no refresh token: %v", tok)
	}

	status, tok := refresh(t, op, rt1)
	rt2, _ := tok["refresh_token"].(string)
	if status != http.StatusOK || rt2 == "" || rt2 == rt1 || tok["id_token"] == nil {
		t.Fatalf("refresh: HTTP %d %v", status, tok)
	}
	status, tok = refresh(t, op, rt1)
	if status != http.StatusBadRequest || tok["error"] != "invalid_request" ||
		tok["error_description"] != "Refresh token is invalid or has already been claimed by another client." {
		t.Errorf("reusing the rotated refresh token: HTTP %d %v", status, tok)
	}
	// The failed reuse does not revoke the current token (no reuse detection).
	status, tok = refresh(t, op, rt2)
	if status != http.StatusOK || tok["refresh_token"] == nil {
		t.Errorf("refresh with the current token after a reuse attempt: HTTP %d %v", status, tok)
	}
	// Access tokens are self-contained JWTs: rotation does not revoke them.
	if status, _ := userinfo(t, op, at1); status != http.StatusOK {
		t.Errorf("the first access token no longer works at userinfo: HTTP %d", status)
	}
	// A refresh token Dex cannot parse or find: invalid_request as well.
	if status, tok := refresh(t, op, "garbage"); status != http.StatusBadRequest || tok["error"] != "invalid_request" {
		t.Errorf("garbage refresh token: HTTP %d %v", status, tok)
	}
}

// Dex keeps one refresh token per (user, connector, client): a new login of
// the same client revokes the refresh token of the previous one.
func TestOneRefreshTokenPerClient(t *testing.T) {
	op := dexop.StartT(t, dexop.Options{})
	redirectURI := newRedirect(t, "127.0.0.1")
	get := func() string {
		verifier, challenge := pkce()
		code := login(t, op, dexop.NativeClientID, redirectURI, challenge, "openid", "offline_access")
		_, tok := exchange(t, op, code, redirectURI, verifier)
		rt, _ := tok["refresh_token"].(string)
		if rt == "" {
			t.Fatalf("no refresh token: %v", tok)
		}
		return rt
	}
	first, second := get(), get()
	if status, tok := refresh(t, op, first); status != http.StatusBadRequest || tok["error"] != "invalid_request" {
		t.Errorf("first session's refresh token after a second login: HTTP %d %v, want invalid_request", status, tok)
	}
	if status, _ := refresh(t, op, second); status != http.StatusOK {
		t.Errorf("second session's refresh token: HTTP %d", status)
	}
}

// PKCE is checked when the authorization request had a challenge, but never
// required; a failed check does not consume the code.
func TestPKCEBehaviour(t *testing.T) {
	op := dexop.StartT(t, dexop.Options{})
	redirectURI := newRedirect(t, "127.0.0.1")

	verifier, challenge := pkce()
	code := login(t, op, dexop.NativeClientID, redirectURI, challenge, "openid")
	wrong, _ := pkce()
	if status, tok := exchange(t, op, code, redirectURI, wrong); status != http.StatusBadRequest ||
		tok["error"] != "invalid_grant" || tok["error_description"] != "Invalid code_verifier." {
		t.Errorf("wrong verifier: HTTP %d %v", status, tok)
	}
	if status, tok := exchange(t, op, code, redirectURI, ""); status != http.StatusBadRequest ||
		tok["error"] != "invalid_grant" || tok["error_description"] != "Expecting parameter code_verifier in PKCE flow." {
		t.Errorf("no verifier: HTTP %d %v", status, tok)
	}
	// The right verifier still works after the failed attempts.
	status, tok := exchange(t, op, code, redirectURI, verifier)
	if status != http.StatusOK {
		t.Errorf("right verifier after wrong ones: HTTP %d %v", status, tok)
	}
	if _, ok := tok["refresh_token"]; ok {
		t.Errorf("refresh token without offline_access: %v", tok)
	}

	// No challenge at all: accepted (PKCE is not enforced, there is no
	// setting for it in this Dex).
	code = login(t, op, dexop.NativeClientID, redirectURI, "", "openid")
	if status, tok := exchange(t, op, code, redirectURI, verifier); status != http.StatusBadRequest || tok["error"] != "invalid_request" {
		t.Errorf("verifier without challenge: HTTP %d %v, want invalid_request", status, tok)
	}
	if status, tok := exchange(t, op, code, redirectURI, ""); status != http.StatusOK {
		t.Errorf("no PKCE at all: HTTP %d %v, want 200 (not enforced)", status, tok)
	}

	// A redirect_uri mismatch at the token endpoint is invalid_request.
	verifier, challenge = pkce()
	code = login(t, op, dexop.NativeClientID, redirectURI, challenge, "openid")
	if status, tok := exchange(t, op, code, redirectURI+"x", verifier); status != http.StatusBadRequest || tok["error"] != "invalid_request" {
		t.Errorf("redirect_uri mismatch: HTTP %d %v, want invalid_request", status, tok)
	}
}

// Authorization errors: unknown scopes and a missing openid scope come back
// to the redirect_uri as error=invalid_scope; an unknown client or a
// non-loopback redirect URI stops at a Dex error page.
func TestAuthorizationErrors(t *testing.T) {
	op := dexop.StartT(t, dexop.Options{})
	redirectURI := newRedirect(t, "127.0.0.1")
	c := startStandInFor(t, redirectURI)
	for _, scopes := range [][]string{{"profile"}, {"openid", "api:read"}} {
		if _, err := dexop.FollowLogin(ctxT(t), op.AuthorizationURL(dexop.NativeClientID, redirectURI, "s", "", scopes...)); err != nil {
			t.Fatal(err)
		}
	}
	got := c.received()
	if len(got) != 2 || got[0].Get("error") != "invalid_scope" || got[1].Get("error") != "invalid_scope" || got[0].Get("state") != "s" {
		t.Errorf("callbacks = %v, want two with error=invalid_scope", got)
	}
	for _, tc := range []struct{ clientID, redirect, msg string }{
		{"nobody", redirectURI, "Invalid client_id."},
		{dexop.NativeClientID, "https://127.0.0.1:1/callback", "Unregistered redirect_uri."},
		{dexop.NativeClientID, "http://example.com/callback", "Unregistered redirect_uri."},
	} {
		_, err := dexop.FollowLogin(ctxT(t), op.AuthorizationURL(tc.clientID, tc.redirect, "s", "", "openid"))
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s %s: err %v, want %q", tc.clientID, tc.redirect, err, tc.msg)
		}
	}
}

// The confidential client: exact redirect URIs, client_secret_basic and
// client_secret_post.
func TestWebClient(t *testing.T) {
	op := dexop.StartT(t, dexop.Options{})
	redirectURI := newRedirect(t, "127.0.0.1")
	authURL := op.AuthorizationURL(dexop.WebClientID, redirectURI, "xyz", "", "openid", "offline_access")
	if _, err := dexop.FollowLogin(ctxT(t), authURL); err == nil || !strings.Contains(err.Error(), "Unregistered redirect_uri.") {
		t.Fatalf("unregistered port: err %v", err)
	}
	if err := op.AllowWebRedirectURI(redirectURI); err != nil {
		t.Fatal(err)
	}
	code := login(t, op, dexop.WebClientID, redirectURI, "", "openid", "offline_access")
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}}
	status, tok := postForm(t, op, dexop.PathToken, form, dexop.WebClientID, "wrong")
	if status != http.StatusUnauthorized || tok["error"] != "invalid_client" {
		t.Errorf("wrong secret: HTTP %d %v, want 401 invalid_client", status, tok)
	}
	status, tok = postForm(t, op, dexop.PathToken, form, dexop.WebClientID, dexop.WebClientSecret)
	if status != http.StatusOK || tok["refresh_token"] == nil {
		t.Fatalf("token: HTTP %d %v", status, tok)
	}
	status, tok = postForm(t, op, dexop.PathToken, url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)},
		"client_id": {dexop.WebClientID}, "client_secret": {dexop.WebClientSecret},
	}, "", "")
	if status != http.StatusOK {
		t.Errorf("refresh with client_secret_post: HTTP %d %v", status, tok)
	}
}

func deviceCode(t *testing.T, op *dexop.OP, form url.Values, basicUser, basicPass string) map[string]any {
	t.Helper()
	status, da := postForm(t, op, dexop.PathDeviceCode, form, basicUser, basicPass)
	if status != http.StatusOK {
		t.Fatalf("device/code: HTTP %d %v", status, da)
	}
	return da
}

func poll(t *testing.T, op *dexop.OP, deviceCode string) (int, map[string]any) {
	t.Helper()
	return postForm(t, op, dexop.PathToken, url.Values{
		"grant_type": {dexop.GrantTypeDeviceCode}, "device_code": {deviceCode}, "client_id": {dexop.NativeClientID},
	}, "", "")
}

func TestDeviceFlow(t *testing.T) {
	op := dexop.StartT(t, dexop.Options{AccessTokenLifetime: time.Minute})
	da := deviceCode(t, op, url.Values{"client_id": {dexop.NativeClientID}, "scope": {"openid profile offline_access"}}, "", "")
	dc, _ := da["device_code"].(string)
	uc, _ := da["user_code"].(string)
	if len(uc) != 9 || uc[4] != '-' || strings.ToUpper(uc) != uc {
		t.Errorf("user_code = %q, want XXXX-XXXX", uc)
	}
	if da["verification_uri"] != op.URL(dexop.PathDevice) ||
		da["verification_uri_complete"] != op.URL(dexop.PathDevice)+"?user_code="+uc ||
		da["interval"] != 5.0 || da["expires_in"] != 300.0 || dc == "" {
		t.Errorf("device authorization response: %v", da)
	}

	// The first poll is pending; a second one within 5 s is slow_down.
	if status, tok := poll(t, op, dc); status != http.StatusBadRequest || tok["error"] != "authorization_pending" {
		t.Errorf("first poll: HTTP %d %v, want authorization_pending", status, tok)
	}
	if status, tok := poll(t, op, dc); status != http.StatusBadRequest || tok["error"] != "slow_down" {
		t.Errorf("second poll at once: HTTP %d %v, want slow_down", status, tok)
	}

	// The user approves; Dex's /device page takes the code (lowercase too).
	if err := dexop.ApproveDevice(ctxT(t), op, strings.ToLower(uc)); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{dexop.PathDevice, dexop.PathDeviceVerify, dexop.PathAuthorize, dexop.PathConnectorLogin, dexop.PathCallback, dexop.PathDeviceCallback} {
		if n := op.Requests(p); n != 1 {
			t.Errorf("Requests(%s) = %d, want 1", p, n)
		}
	}

	// Once approved there is no pacing: the next poll, even at once, has the
	// tokens.
	status, tok := poll(t, op, dc)
	if status != http.StatusOK || tok["id_token"] == nil || tok["refresh_token"] == nil || tok["access_token"] == nil {
		t.Fatalf("poll after approval: HTTP %d %v", status, tok)
	}
	if exp, _ := tok["expires_in"].(float64); exp < 58 || exp > 60 {
		t.Errorf("expires_in = %v, want ~60", tok["expires_in"])
	}
	if id := claims(t, tok["id_token"]); id["sub"] != dexop.MockSubject || id["aud"] != dexop.NativeClientID || id["name"] != dexop.MockName {
		t.Errorf("id_token claims: %v", id)
	}
	// The device code is not consumed: polling again yields the same tokens
	// until it expires, and the device grant checks no client (none given).
	status, again := postForm(t, op, dexop.PathToken, url.Values{"grant_type": {dexop.GrantTypeDeviceCode}, "device_code": {dc}}, "", "")
	if status != http.StatusOK || again["access_token"] != tok["access_token"] {
		t.Errorf("second poll after approval, without client_id: HTTP %d %v", status, again)
	}
	if status, tok := refresh(t, op, tok["refresh_token"].(string)); status != http.StatusOK || tok["refresh_token"] == nil {
		t.Errorf("refresh of a device flow token: HTTP %d %v", status, tok)
	}

	// Unknown device code.
	if status, tok := poll(t, op, "nope"); status != http.StatusBadRequest || tok["error"] != "invalid_request" {
		t.Errorf("unknown device code: HTTP %d %v, want invalid_request", status, tok)
	}
	// An unknown user code: the /device page again, with an error.
	if err := dexop.ApproveDevice(ctxT(t), op, "BCDF-GHJK"); err == nil || !strings.Contains(err.Error(), "invalid or expired") {
		t.Errorf("unknown user code: err %v", err)
	}
}

// slow_down keeps growing the interval by 5 s for every early poll, and the
// early polls count as the last request.
func TestDeviceSlowDownAndExpiry(t *testing.T) {
	t.Parallel()
	op := dexop.StartT(t, dexop.Options{DeviceRequestLifetime: time.Second})
	da := deviceCode(t, op, url.Values{"client_id": {dexop.NativeClientID}}, "", "")
	if da["expires_in"] != 1.0 {
		t.Errorf("expires_in = %v, want 1", da["expires_in"])
	}
	dc := da["device_code"].(string)
	want := []string{"authorization_pending", "slow_down", "slow_down"}
	for i, w := range want {
		if status, tok := poll(t, op, dc); status != http.StatusBadRequest || tok["error"] != w {
			t.Errorf("poll %d: HTTP %d %v, want %s", i+1, status, tok, w)
		}
	}
	time.Sleep(1100 * time.Millisecond)
	if status, tok := poll(t, op, dc); status != http.StatusBadRequest || tok["error"] != "expired_token" {
		t.Errorf("poll after expiry: HTTP %d %v, want expired_token", status, tok)
	}
	if err := dexop.ApproveDevice(ctxT(t), op, da["user_code"].(string)); err == nil {
		t.Errorf("approving an expired user code succeeded")
	}
}

// The confidential client's device flow: Dex takes the secret from the
// /device/code form only; sent with HTTP Basic it is not seen, and the
// login then fails at /device/callback with invalid_client.
func TestDeviceFlowWebClient(t *testing.T) {
	op := dexop.StartT(t, dexop.Options{})
	da := deviceCode(t, op, url.Values{"client_id": {dexop.WebClientID}, "client_secret": {dexop.WebClientSecret}, "scope": {"openid"}}, "", "")
	if err := dexop.ApproveDeviceURL(ctxT(t), da["verification_uri_complete"].(string)); err != nil {
		t.Fatal(err)
	}
	if status, tok := poll(t, op, da["device_code"].(string)); status != http.StatusOK || tok["id_token"] == nil {
		t.Errorf("poll: HTTP %d %v", status, tok)
	}

	da = deviceCode(t, op, url.Values{"client_id": {dexop.WebClientID}, "scope": {"openid"}}, dexop.WebClientID, dexop.WebClientSecret)
	err := dexop.ApproveDeviceURL(ctxT(t), da["verification_uri_complete"].(string))
	if err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Errorf("device flow with the secret in HTTP Basic: err %v, want invalid_client", err)
	}
}

// A 1 s lifetime: expires_in is truncated to 0 and then omitted (omitempty)
// from the token response. Once expired, the access
// token is refused at userinfo with 403 access_denied (not 401
// invalid_token), as is any bad token. Refresh still works.
func TestShortAccessTokenExpires(t *testing.T) {
	t.Parallel()
	op := dexop.StartT(t, dexop.Options{AccessTokenLifetime: time.Second})
	redirectURI := newRedirect(t, "127.0.0.1")
	verifier, challenge := pkce()
	code := login(t, op, dexop.NativeClientID, redirectURI, challenge, "openid", "offline_access")
	status, tok := exchange(t, op, code, redirectURI, verifier)
	if _, ok := tok["expires_in"]; status != http.StatusOK || ok {
		t.Fatalf("token: HTTP %d, expires_in %v, want none (0, omitted)", status, tok["expires_in"])
	}
	if status, ui := userinfo(t, op, "garbage"); status != http.StatusForbidden || ui["error"] != "access_denied" {
		t.Errorf("userinfo with a bad token: HTTP %d %v, want 403 access_denied", status, ui)
	}
	time.Sleep(1100 * time.Millisecond)
	if status, ui := userinfo(t, op, tok["access_token"].(string)); status != http.StatusForbidden || ui["error"] != "access_denied" {
		t.Errorf("userinfo with an expired token: HTTP %d %v, want 403 access_denied", status, ui)
	}
	if status, tok := refresh(t, op, tok["refresh_token"].(string)); status != http.StatusOK || tok["access_token"] == nil {
		t.Errorf("refresh after the access token expired: HTTP %d %v", status, tok)
	}
}
