package testop_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/internal/testop"
	"github.com/wasmlogin/wasmlogin/internal/testop/autologin"
)

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// postForm POSTs form to the OP and decodes the JSON answer.
func postForm(t *testing.T, op *testop.OP, path string, form url.Values, basicUser, basicPass string) (int, map[string]any) {
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

func userinfo(t *testing.T, op *testop.OP, accessToken string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctxT(t), http.MethodGet, op.URL(testop.PathUserinfo), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// login runs the code flow's front channel and returns the code.
func login(t *testing.T, op *testop.OP, clientID, challenge string, scopes ...string) (code, redirectURI string) {
	t.Helper()
	client := testop.StartStandInClient(t) // stand-in for the program under test
	authURL := op.AuthorizationURL(clientID, client.RedirectURI, "xyz", challenge, scopes...)
	if _, err := autologin.Follow(ctxT(t), authURL, op.Username, op.Password); err != nil {
		t.Fatalf("login: %v", err)
	}
	got := client.Received()
	if len(got) != 1 || got[0].Get("code") == "" || got[0].Get("state") != "xyz" {
		t.Fatalf("callbacks = %v, want one with a code and state=xyz", got)
	}
	return got[0].Get("code"), client.RedirectURI
}

func TestDiscovery(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	if !strings.HasPrefix(op.Issuer, "http://127.0.0.1:") || strings.HasSuffix(op.Issuer, "/") {
		t.Fatalf("issuer = %q", op.Issuer)
	}
	if op.Username != "test-user@127.0.0.1" || op.Password != "verysecure" {
		t.Errorf("credentials = %q / %q", op.Username, op.Password)
	}
	req, _ := http.NewRequestWithContext(ctxT(t), http.MethodGet, op.URL(testop.PathDiscovery), nil)
	status, d := do(t, req)
	if status != http.StatusOK || d["issuer"] != op.Issuer {
		t.Fatalf("discovery: HTTP %d, issuer %v, want %s", status, d["issuer"], op.Issuer)
	}
	for key, path := range map[string]string{
		"authorization_endpoint":        testop.PathAuthorize,
		"token_endpoint":                testop.PathToken,
		"userinfo_endpoint":             testop.PathUserinfo,
		"revocation_endpoint":           testop.PathRevoke,
		"introspection_endpoint":        testop.PathIntrospect,
		"device_authorization_endpoint": testop.PathDeviceAuthorization,
		"jwks_uri":                      testop.PathKeys,
		"end_session_endpoint":          testop.PathEndSession,
	} {
		if d[key] != op.Issuer+path {
			t.Errorf("%s = %v, want %s", key, d[key], op.Issuer+path)
		}
	}
	if op.Requests(testop.PathDiscovery) != 1 {
		t.Errorf("Requests(discovery) = %d, want 1", op.Requests(testop.PathDiscovery))
	}
}

// Code flow with PKCE for the native client, configurable expires_in,
// refresh token rotation, userinfo, and the request counter.
func TestNativeCodeFlowRefreshRotation(t *testing.T) {
	op := testop.StartT(t, testop.Options{AccessTokenLifetime: 90 * time.Second})
	verifier, challenge := testop.PKCE()
	code, redirectURI := login(t, op, testop.NativeClientID, challenge, "openid", "profile", "offline_access")

	status, tok := postForm(t, op, testop.PathToken, url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI},
		"client_id": {testop.NativeClientID}, "code_verifier": {verifier},
	}, "", "")
	if status != http.StatusOK {
		t.Fatalf("token: HTTP %d %v", status, tok)
	}
	if exp, _ := tok["expires_in"].(float64); exp < 88 || exp > 90 {
		t.Errorf("expires_in = %v, want ~90", tok["expires_in"])
	}
	rt1, _ := tok["refresh_token"].(string)
	at1, _ := tok["access_token"].(string)
	if rt1 == "" || at1 == "" || tok["id_token"] == nil {
		t.Fatalf("token response lacks tokens: %v", tok)
	}
	if status, ui := userinfo(t, op, at1); status != http.StatusOK || ui["sub"] != "id1" || ui["preferred_username"] != op.Username {
		t.Errorf("userinfo: HTTP %d %v", status, ui)
	}

	refresh := func(rt string) (int, map[string]any) {
		return postForm(t, op, testop.PathToken, url.Values{
			"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {testop.NativeClientID},
		}, "", "")
	}
	status, tok = refresh(rt1)
	rt2, _ := tok["refresh_token"].(string)
	if status != http.StatusOK || rt2 == "" || rt2 == rt1 {
		t.Fatalf("refresh: HTTP %d %v", status, tok)
	}
	if exp, _ := tok["expires_in"].(float64); exp < 88 || exp > 90 {
		t.Errorf("refreshed expires_in = %v, want ~90", tok["expires_in"])
	}
	if status, tok = refresh(rt1); status != http.StatusBadRequest || tok["error"] != "invalid_grant" {
		t.Errorf("reusing the rotated refresh token: HTTP %d %v, want invalid_grant", status, tok)
	}
	if status, _ := userinfo(t, op, at1); status == http.StatusOK {
		t.Errorf("the access token of a rotated refresh token still works at userinfo")
	}
	if n := op.Requests(testop.PathToken); n != 3 {
		t.Errorf("Requests(token) = %d, want 3", n)
	}
}

func TestWrongVerifierAndNoOfflineAccess(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	_, challenge := testop.PKCE()
	code, redirectURI := login(t, op, testop.NativeClientID, challenge, "openid")
	other, _ := testop.PKCE()
	status, tok := postForm(t, op, testop.PathToken, url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI},
		"client_id": {testop.NativeClientID}, "code_verifier": {other},
	}, "", "")
	if status != http.StatusBadRequest || tok["error"] != "invalid_grant" {
		t.Errorf("wrong verifier: HTTP %d %v, want invalid_grant", status, tok)
	}

	verifier, challenge := testop.PKCE()
	code, redirectURI = login(t, op, testop.NativeClientID, challenge, "openid")
	status, tok = postForm(t, op, testop.PathToken, url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI},
		"client_id": {testop.NativeClientID}, "code_verifier": {verifier},
	}, "", "")
	if status != http.StatusOK {
		t.Fatalf("token: HTTP %d %v", status, tok)
	}
	if _, ok := tok["refresh_token"]; ok {
		t.Errorf("refresh token issued without offline_access: %v", tok)
	}
	if exp, _ := tok["expires_in"].(float64); exp < 298 || exp > 300 {
		t.Errorf("default expires_in = %v, want ~300", tok["expires_in"])
	}
}

func TestShortAccessTokenExpires(t *testing.T) {
	op := testop.StartT(t, testop.Options{AccessTokenLifetime: time.Second})
	verifier, challenge := testop.PKCE()
	code, redirectURI := login(t, op, testop.NativeClientID, challenge, "openid")
	status, tok := postForm(t, op, testop.PathToken, url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI},
		"client_id": {testop.NativeClientID}, "code_verifier": {verifier},
	}, "", "")
	if status != http.StatusOK {
		t.Fatalf("token: HTTP %d %v", status, tok)
	}
	if exp, _ := tok["expires_in"].(float64); exp > 1 {
		t.Errorf("expires_in = %v, want <= 1", tok["expires_in"])
	}
	at, _ := tok["access_token"].(string)
	time.Sleep(1100 * time.Millisecond)
	if status, ui := userinfo(t, op, at); status == http.StatusOK {
		t.Errorf("expired access token accepted at userinfo: %v", ui)
	}
}

// The confidential web client: client_secret_basic, any loopback port.
func TestWebClient(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	code, redirectURI := login(t, op, testop.WebClientID, "", "openid", "offline_access")
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}}
	status, tok := postForm(t, op, testop.PathToken, form, testop.WebClientID, "wrong")
	if status != http.StatusUnauthorized && status != http.StatusBadRequest || tok["error"] != "invalid_client" {
		t.Errorf("wrong secret: HTTP %d %v, want invalid_client", status, tok)
	}
	status, tok = postForm(t, op, testop.PathToken, form, testop.WebClientID, testop.WebClientSecret)
	if status != http.StatusOK || tok["refresh_token"] == nil {
		t.Fatalf("token: HTTP %d %v", status, tok)
	}
}

// Device flow for the native client, with the two storage fixes: the
// subject is the user ID (scope openid works) and the refresh token is
// usable.
func TestNativeDeviceFlow(t *testing.T) {
	op := testop.StartT(t, testop.Options{AccessTokenLifetime: time.Minute})
	status, da := postForm(t, op, testop.PathDeviceAuthorization, url.Values{
		"client_id": {testop.NativeClientID}, "scope": {"openid offline_access"},
	}, "", "")
	if status != http.StatusOK {
		t.Fatalf("device_authorization: HTTP %d %v", status, da)
	}
	deviceCode, _ := da["device_code"].(string)
	userCode, _ := da["user_code"].(string)
	verification, _ := da["verification_uri"].(string)
	if verification != op.URL("/device") || da["interval"] != 5.0 {
		t.Errorf("device authorization response: %v", da)
	}
	poll := func() (int, map[string]any) {
		return postForm(t, op, testop.PathToken, url.Values{
			"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "device_code": {deviceCode},
			"client_id": {testop.NativeClientID},
		}, "", "")
	}
	if status, tok := poll(); status != http.StatusBadRequest || tok["error"] != "authorization_pending" {
		t.Errorf("poll before approval: HTTP %d %v, want authorization_pending", status, tok)
	}
	if err := autologin.ApproveDevice(ctxT(t), verification, userCode, op.Username, op.Password, true); err != nil {
		t.Fatal(err)
	}
	status, tok := poll()
	if status != http.StatusOK || tok["id_token"] == nil || tok["refresh_token"] == nil {
		t.Fatalf("poll after approval: HTTP %d %v", status, tok)
	}
	if exp, _ := tok["expires_in"].(float64); exp < 58 || exp > 60 {
		t.Errorf("expires_in = %v, want ~60", tok["expires_in"])
	}
	at, _ := tok["access_token"].(string)
	if status, ui := userinfo(t, op, at); status != http.StatusOK || ui["sub"] != "id1" {
		t.Errorf("userinfo: HTTP %d %v", status, ui)
	}
	status, tok = postForm(t, op, testop.PathToken, url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)}, "client_id": {testop.NativeClientID},
	}, "", "")
	if status != http.StatusOK || tok["refresh_token"] == nil {
		t.Errorf("refresh of a device flow token: HTTP %d %v", status, tok)
	}
}

func TestNativeDeviceFlowDenied(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	_, da := postForm(t, op, testop.PathDeviceAuthorization, url.Values{
		"client_id": {testop.NativeClientID}, "scope": {"openid"},
	}, "", "")
	if err := autologin.ApproveDevice(ctxT(t), da["verification_uri"].(string), da["user_code"].(string), op.Username, op.Password, false); err != nil {
		t.Fatal(err)
	}
	status, tok := postForm(t, op, testop.PathToken, url.Values{
		"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "device_code": {da["device_code"].(string)},
		"client_id": {testop.NativeClientID},
	}, "", "")
	if status != http.StatusBadRequest || tok["error"] != "access_denied" {
		t.Errorf("poll after denial: HTTP %d %v, want access_denied", status, tok)
	}
}

// ID tokens take Options.IDTokenLifetime, then SetIDTokenLifetime's, and
// refreshes with scope openid bring a new one; GrantRequests counts token
// requests by grant type.
func TestIDTokenLifetimeAndGrantCount(t *testing.T) {
	op := testop.StartT(t, testop.Options{IDTokenLifetime: 10 * time.Second})
	verifier, challenge := testop.PKCE()
	code, redirectURI := login(t, op, testop.NativeClientID, challenge, "openid", "offline_access")
	_, tok := postForm(t, op, testop.PathToken, url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI},
		"client_id": {testop.NativeClientID}, "code_verifier": {verifier},
	}, "", "")
	if got := idTokenLifetime(t, tok); got != 10 {
		t.Fatalf("ID token lifetime %d s, want 10", got)
	}
	op.Storage.SetIDTokenLifetime(0)
	status, tok := postForm(t, op, testop.PathToken, url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)}, "client_id": {testop.NativeClientID},
	}, "", "")
	if status != http.StatusOK {
		t.Fatalf("refresh: HTTP %d %v", status, tok)
	}
	if got := idTokenLifetime(t, tok); got != 3600 {
		t.Fatalf("refreshed ID token lifetime %d s, want the example's 3600", got)
	}
	if a, r := op.GrantRequests("authorization_code"), op.GrantRequests("refresh_token"); a != 1 || r != 1 {
		t.Fatalf("GrantRequests: authorization_code %d, refresh_token %d; want 1 and 1", a, r)
	}
}

// idTokenLifetime is exp - iat of the ID token in a token response.
func idTokenLifetime(t *testing.T, tok map[string]any) int64 {
	t.Helper()
	jwt, _ := tok["id_token"].(string)
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("no ID token in %v", tok)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims struct{ Exp, Iat int64 }
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return claims.Exp - claims.Iat
}
