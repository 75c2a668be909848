package flow

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/internal/jsonv"
)

func fullRecord() *record {
	return &record{Version: recordVersion,
		Provider: api.Provider{Issuer: "https://idp.example", ClientID: "cli", Scopes: []string{"openid"},
			ExtraAuthParams: map[string]string{"prompt": "login"}, PromptClientSecret: true},
		Endpoints: endpoints{Issuer: "https://idp.example", Authorization: "https://idp.example/auth?a=1&b=2",
			Token: "https://idp.example/token", JWKS: "j", Userinfo: "u", Revocation: "r", IssParameter: true,
			TokenAuthMethods: []string{"client_secret_post"}, OIDC: true},
		ClientSecret: "s<3", Grant: grantClientCredentials,
		Token: storedToken{AccessToken: "AT", TokenType: "Bearer", RefreshToken: "RT", IDToken: "ID",
			Scope: "openid", ExpiresAt: 1800000000},
		Claims: map[string]any{"sub": "alice", "email_verified": true, "groups": []any{"a", nil},
			"address": map[string]any{"country": "Ö"}},
		Resource: "https://mcp.example/mcp",
		MCP: &mcpState{Server: "https://mcp.example/mcp", Client: "registered", AuthMethod: "private_key_jwt",
			SigningAlg: "ES256", Grant: "authorization_code"},
	}
}

// The stored record keeps the bytes encoding/json wrote, and reads back
// what encoding/json wrote (records stored by earlier versions).
func TestRecordMatchesEncodingJSON(t *testing.T) {
	for _, r := range []*record{fullRecord(), {}} {
		got := encodeRecord(r)
		want, _ := json.Marshal(r)
		if !bytes.Equal(got, want) {
			t.Errorf("got  %s\nwant %s", got, want)
		}
		back, err := decodeRecord(want)
		if err != nil || !reflect.DeepEqual(back, r) {
			t.Errorf("read back %+v, %v", back, err)
		}
	}
}

// Claims numbers are kept as their literals, where encoding/json rounded
// them to float64 when it read a record back.
func TestRecordKeepsClaimNumbers(t *testing.T) {
	r := fullRecord()
	r.Claims = map[string]any{"exp": jsonv.Number("1800000000"), "big": jsonv.Number("12345678901234567890123"), "f": jsonv.Number("1.50")}
	back, err := decodeRecord(encodeRecord(r))
	if err != nil || !reflect.DeepEqual(back.Claims, r.Claims) {
		t.Fatalf("claims %v, %v", back.Claims, err)
	}
}

// Claims may nest as deeply as jsonv.Parse allowed when they came from the
// ID token; inside the record that is one level more, and still readable.
func TestRecordWithDeepClaims(t *testing.T) {
	deep := strings.Repeat(`{"k":`, jsonv.MaxDepth) + "1" + strings.Repeat("}", jsonv.MaxDepth)
	v, err := jsonv.Parse([]byte(deep))
	if err != nil {
		t.Fatal(err)
	}
	r := fullRecord()
	r.Claims = v.Any().(map[string]any)
	if _, err := decodeRecord(encodeRecord(r)); err != nil {
		t.Fatal(err)
	}
}

func TestRecordRejectsWrongTypes(t *testing.T) {
	for _, in := range []string{`[]`, `{"v":"1"}`, `{"token":{"expires_at":1.5}}`, `{"claims":[]}`, `{"provider":{"scopes":"x"}}`, `{"v":1,}`} {
		if _, err := decodeRecord([]byte(in)); err == nil {
			t.Errorf("%s: accepted", in)
		}
	}
}
