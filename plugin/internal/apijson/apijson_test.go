package apijson

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/internal/jsonv"
)

var fullProvider = api.Provider{Issuer: "https://idp.example/t?x=<&>", ClientID: "cli", Scopes: []string{"openid", "e\u2028"},
	AuthorizationEndpoint: "https://idp.example/auth", TokenEndpoint: "https://idp.example/token", JWKSURI: "https://idp.example/keys",
	DeviceAuthorizationEndpoint: "https://idp.example/device", RevocationEndpoint: "https://idp.example/revoke",
	ExtraAuthParams: map[string]string{"prompt": "login", "acr_values": "\x01é"}, ClientSecret: "s\"3", PromptClientSecret: true,
	ScopeSeparator: ",", TokenAuthMethod: "client_secret_post"}

var fullError = api.Error{Code: "server_error", Message: "m\n", ServerError: "invalid_grant", ServerDescription: "d", RetryAfterSeconds: 30}

// full has every payload type of package api with every field set.
var full = []any{
	&fullError,
	&api.HTTPRequest{Method: "POST", URL: "https://idp.example/token", Body: "a=1&b=2",
		Headers: map[string][]string{"Content-Type": {"application/x-www-form-urlencoded"}, "Accept": {"a", "b"}}},
	&api.HTTPResponse{Status: 200, Headers: map[string][]string{"Content-Type": {"application/json"}, "Set-Cookie": {"a", "b"}}, Body: `{"x":"<>"}`},
	&api.OpenBrowserRequest{URL: "https://idp.example/auth?x=1&y=2"},
	&api.OpenBrowserResult{Opened: true},
	&api.NotifyRequest{Level: "warn", Message: "<b>"},
	&api.PromptRequest{Message: "Secret: ", Secret: true},
	&api.PromptResult{Value: "v"},
	&api.SecretKey{Key: "profile/idp#cli"},
	&api.SecretValue{Key: "k", Value: `{"v":1}`},
	&api.SecretLookup{Found: true, Value: "v"},
	&api.Empty{},
	&fullProvider,
	&api.ProfileRef{Profile: "p", Provider: &fullProvider},
	&api.LoginBeginInput{ProfileRef: api.ProfileRef{Profile: "p", Provider: &fullProvider},
		RedirectURI: "http://127.0.0.1:5/callback", OpenBrowser: true},
	&api.LoginBegun{FlowID: "f", Profile: "idp#cli", AuthorizationURL: "https://x/?a=1&b=<2>", BrowserOpened: true},
	&api.LoginCompleteInput{FlowID: "f", CallbackURL: "http://127.0.0.1:5/callback?code=c&state=s"},
	&api.Session{Profile: "p", Issuer: "https://idp.example", ClientID: "cli", Subject: "alice", Scopes: []string{"openid"},
		ExpiresAt: 1800000000, HasRefreshToken: true, Resource: "https://r.example/mcp",
		Claims: map[string]any{"sub": "alice", "ok": true, "none": nil, "groups": []any{"a", "b"}, "addr": map[string]any{"z": "1", "a": ""}}},
	&api.TokenInput{ProfileRef: api.ProfileRef{Provider: &api.Provider{ClientID: "c"}}, ForceRefresh: true},
	&api.TokenResult{Profile: "p", AccessToken: "AT", TokenType: "Bearer", ExpiresAt: -1, Refreshed: true},
	&api.ServedToken{Profile: "p", AccessToken: "AT", TokenType: "Bearer", ExpiresAt: 1800000030, ServeUntil: 1800000000},
	&api.LogoutResult{Profile: "p", Removed: true, Revoked: []string{"refresh_token", "access_token"}, RevocationNote: "n"},
	&api.LoginChooseInput{ProfileRef: api.ProfileRef{Profile: "p"}, Prefer: "device", BrowserUsable: true, Remote: true},
	&api.LoginChoice{Flow: "device", Reason: "SSH <session>"},
	&api.DeviceBeginInput{ProfileRef: api.ProfileRef{Provider: &fullProvider}, OpenBrowser: true},
	&api.DeviceBegun{FlowID: "f", Profile: "p", UserCode: "ABCD-EFGH", VerificationURI: "https://idp.example/device",
		VerificationURIComplete: "https://idp.example/device?user_code=ABCD-EFGH", ExpiresIn: 600, Interval: 5, BrowserOpened: true},
	&api.DevicePollInput{FlowID: "f"},
	&api.DevicePoll{Status: "signed_in", WaitSeconds: 10, ExpiresIn: 300, Message: "m",
		Session: &api.Session{Profile: "p", ClientID: "cli", Claims: map[string]any{"sub": "a"}}},
	&api.ClientCredentialsInput{ProfileRef: api.ProfileRef{Provider: &fullProvider}, AuthMethod: "client_secret_post"},
	&api.TokenExchangeInput{ProfileRef: api.ProfileRef{Profile: "p"}, SubjectToken: "st", SubjectProfile: "sp",
		SubjectTokenType: "urn:ietf:params:oauth:token-type:access_token", Audience: []string{"a", "b"},
		Resource: []string{"https://api.example/"}, Scopes: []string{"read"}, RequestedTokenType: "urn:x"},
	&api.TokenExchangeResult{AccessToken: "AT", IssuedTokenType: "urn:ietf:params:oauth:token-type:access_token",
		TokenType: "Bearer", ExpiresAt: 1800000000, Scope: "read"},
	&api.UserinfoResult{Profile: "p", Claims: map[string]any{"sub": "alice", "email_verified": true}},
	&fullJWK,
	&api.VerifySignatureRequest{Alg: "ES256", JWK: fullJWK, Message: "bWVzc2FnZQ", Signature: "c2ln"},
	&api.VerifySignatureResult{Valid: true},
	&api.PluginInfo{Version: "1.2.3", Contract: "0.2.0"},
	&api.SignRequest{Alg: "ES256", Profile: "mcp:https://r.example/mcp", Message: "bWVzc2FnZQ"},
	&api.SignResult{Signature: "c2ln"},
	&fullChallenge, &fullMCPClient, &fullAssertion,
	&api.MCPAuthorizeInput{ServerURL: "https://r.example/mcp?a=<b>", Challenge: &fullChallenge, Attempt: 2, Client: &fullMCPClient,
		Grant: "cross_app_access", IdentityAssertion: &fullAssertion, Scopes: []string{"mcp:basic", "mcp:write"},
		RedirectURI: "http://127.0.0.1:5/callback", OpenBrowser: true},
	&api.MCPAuthorized{Profile: "mcp:https://r.example/mcp", Issuer: "https://as.example",
		Token: &api.TokenResult{Profile: "p", AccessToken: "AT", TokenType: "Bearer", ExpiresAt: 1, Refreshed: true},
		Login: &api.LoginBegun{FlowID: "f", Profile: "p", AuthorizationURL: "https://as.example/a?x=1&y=2", BrowserOpened: true}},
}

var (
	fullChallenge = api.MCPChallenge{Status: 403, WWWAuthenticate: []string{`Bearer scope="a b", error="insufficient_scope"`, "Basic"}}
	fullMCPClient = api.MCPClient{ClientID: "c", ClientSecret: "s\"", ClientMetadataURL: "https://app.example/client.json",
		TokenAuthMethod: "private_key_jwt", SigningAlg: "ES256", ClientName: "My <app>"}
	fullAssertion = api.MCPIdentityAssertion{IdPTokenEndpoint: "https://idp.example/token", IDToken: "eyJ.x.y", IdPClientID: "ic", IdPClientSecret: "is"}
)

// fullJWK has every member set, which no real key has.
var fullJWK = api.PublicJWK{Kty: "EC", Crv: "P-256", N: "n-_", E: "AQAB", X: "eA", Y: "eQ"}

func zeroOf(v any) any { return reflect.New(reflect.TypeOf(v).Elem()).Interface() }

// The test covers every struct type declared in package api.
func TestCoversEveryPayloadType(t *testing.T) {
	tested := map[string]bool{}
	for _, v := range full {
		tested[reflect.TypeOf(v).Elem().Name()] = true
	}
	files, _ := filepath.Glob("../../api/*.go")
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, s := range g.Specs {
				ts, ok := s.(*ast.TypeSpec)
				if !ok {
					continue
				}
				if _, isStruct := ts.Type.(*ast.StructType); isStruct && ts.TypeParams == nil && !tested[ts.Name.Name] {
					t.Errorf("api.%s is not tested", ts.Name.Name)
				}
			}
		}
	}
}

// Write must produce json.Marshal's bytes, for every type zero and full, so
// encoding/json reads what we write back into an equal struct.
func TestWriteMatchesEncodingJSON(t *testing.T) {
	for _, v := range full {
		got := checkBytes(t, v, v)
		back := zeroOf(v)
		if err := json.Unmarshal(got, back); err != nil || !reflect.DeepEqual(back, v) {
			t.Errorf("%T: encoding/json reads back %+v, %v", v, back, err)
		}
		checkBytes(t, zeroOf(v), nil)
	}
	// Values that omitempty leaves out, and nil inside maps.
	checkBytes(t, &api.Session{Scopes: []string{}, Claims: map[string]any{}}, nil)
	checkBytes(t, &api.Provider{Scopes: []string{}, ExtraAuthParams: map[string]string{}}, nil)
	checkBytes(t, &api.HTTPRequest{Headers: map[string][]string{"X": nil}}, nil)
	checkBytes(t, &api.HTTPResponse{Headers: map[string][]string{}}, nil)
	checkBytes(t, &api.TokenInput{ProfileRef: api.ProfileRef{Provider: &api.Provider{}}}, nil)
	// Claims numbers are literals: jsonv.Number here, json.Number for encoding/json.
	claims := func(n any) *api.Session {
		return &api.Session{Claims: map[string]any{"exp": n, "l": []any{n}}}
	}
	checkBytes(t, claims(jsonv.Number("1.50e3")), claims(json.Number("1.50e3")))
}

// checkBytes compares Marshal(v) with json.Marshal(ref), ref defaulting to v.
func checkBytes(t *testing.T, v, ref any) []byte {
	t.Helper()
	if ref == nil {
		ref = v
	}
	got := Marshal(v)
	want, err := json.Marshal(ref)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("%T:\ngot  %s\nwant %s %v", v, got, want, err)
	}
	return got
}

// From encoding/json's output and from edge cases, Unmarshal must give what
// json.Unmarshal gives, or fail where it fails; from the full values'
// JSON, the full values.
func TestUnmarshalMatchesEncodingJSON(t *testing.T) {
	common := []string{`null`, `{}`, `{"unknown":[1,{"x":null}],"":""}`, `[]`, `"x"`, `1`, `{"a":1,}`}
	edges := map[string][]string{
		"LoginBeginInput": {
			`{"provider":null,"profile":null,"redirect_uri":null,"open_browser":null}`,
			`{"provider":{"scopes":[null,"a"],"extra_auth_params":{}}}`,
			`{"provider":{"scopes":[]}}`,
			`{"open_browser":"true"}`, `{"provider":[]}`, `{"provider":{"scopes":"openid"}}`,
			`{"provider":{"scopes":[1]}}`, `{"provider":{"extra_auth_params":{"a":1}}}`,
		},
		"LoginCompleteInput": {
			`{"flow_id":5}`, `{"callback_url":{}}`,
		},
		"TokenInput": {
			`{"force_refresh":1}`, `{"profile":"p","force_refresh":false}`,
		},
		"ProfileRef": {`{"profile":true}`},
		"Provider":   {`{"prompt_client_secret":"yes"}`},
		"Error": {
			`{"retry_after_seconds":1.5}`, `{"retry_after_seconds":"5"}`, `{"retry_after_seconds":-0}`,
			`{"retry_after_seconds":99999999999999999999}`, `{"retry_after_seconds":1e2}`,
		},
		"HTTPResponse": {
			`{"status":null,"headers":null,"body":null}`, `{"headers":{}}`, `{"headers":{"A":null,"B":[]}}`,
			`{"status":"200"}`, `{"headers":{"A":"1"}}`,
		},
		"HTTPRequest":       {`{"headers":{"A":null}}`, `{"headers":{"A":[1]}}`},
		"OpenBrowserResult": {`{"opened":"no"}`},
		"PromptResult":      {`{"value":null}`},
		"SecretLookup":      {`{"found":1}`},
		"Empty":             {`{"x":1}`},
	}
	for _, v := range full {
		fullJSON, _ := json.Marshal(v)
		zeroJSON, _ := json.Marshal(zeroOf(v))
		inputs := append([]string{string(fullJSON), string(zeroJSON)}, common...)
		for _, in := range append(inputs, edges[reflect.TypeOf(v).Elem().Name()]...) {
			want := zeroOf(v)
			wantErr := json.Unmarshal([]byte(in), want)
			got := zeroOf(v)
			gotErr := Unmarshal([]byte(in), got)
			if (gotErr != nil) != (wantErr != nil) || wantErr == nil && !reflect.DeepEqual(got, want) {
				t.Errorf("%T from %s:\ngot  %+v, %v\nwant %+v, %v", v, in, got, gotErr, want, wantErr)
			}
		}
		if got := zeroOf(v); Unmarshal(fullJSON, got) != nil || !reflect.DeepEqual(got, v) {
			t.Errorf("%T: read back %+v", v, got)
		}
	}
}

// Where encoding/json picks silently (last duplicate wins, bad UTF-8 made
// U+FFFD), the plugin refuses: two readers must not see two payloads.
func TestAmbiguousPayloadsRefused(t *testing.T) {
	for _, in := range []string{
		`{"provider":{"issuer":"a"},"provider":{"client_id":"b"}}`,
		`{"headers":{"A":["1"]},"headers":{"B":["2"]}}`,
		`{"body":"a","body":"b"}`,
		`{"redirect_uri":"\ud800"}`,
		"{\"body\":\"\xff\"}",
	} {
		var r api.LoginBeginInput
		if err := Unmarshal([]byte(in), &r); err == nil {
			t.Errorf("%s: accepted as %+v", in, r)
		}
	}
}

// Member names match exactly: encoding/json would also take "Status".
func TestNamesMatchExactly(t *testing.T) {
	var r api.HTTPResponse
	if err := Unmarshal([]byte(`{"Status":200}`), &r); err != nil || r.Status != 0 {
		t.Errorf("got %+v, %v", r, err)
	}
}

func TestErrorsNameTheMember(t *testing.T) {
	var in api.LoginBeginInput
	err := Unmarshal([]byte(`{"provider":{"scopes":[1]}}`), &in)
	if err == nil || err.Error() != "provider: scopes: expected a string, found a number" {
		t.Errorf("got %v", err)
	}
}
