package flow

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/url"
	"strings"
	"testing"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// The client credentials grant with private_key_jwt: the plugin builds the
// RFC 7523 assertion (iss = sub = client ID, aud = the issuer, a jti, a
// short life) and the host signs it with the profile's key.
func TestMCPClientCredentialsWithPrivateKeyJWT(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	w := newMCPWorld(t)
	w.docs["https://as.example/.well-known/oauth-authorization-server"] = strings.Replace(asMetadata(""), `["none","client_secret_basic"]`, `["private_key_jwt"]`, 1)
	var form url.Values
	w.token = func(f url.Values, r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		form = f
		return jsonResponse(200, `{"access_token":"cc-token","token_type":"Bearer","expires_in":3600}`)
	}
	h, e := mcpEngine(w)
	h.sign = func(r api.SignRequest) (string, *api.Error) {
		msg, err := base64.RawURLEncoding.DecodeString(r.Message)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(msg)
		rr, ss, _ := ecdsa.Sign(rand.Reader, key, sum[:])
		sig := append(rr.FillBytes(make([]byte, 32)), ss.FillBytes(make([]byte, 32))...)
		return base64.RawURLEncoding.EncodeToString(sig), nil
	}
	out, err := e.MCPAuthorize(api.MCPAuthorizeInput{ServerURL: mcpServerURL, Grant: api.GrantClientCredentials,
		Client: &api.MCPClient{ClientID: "svc", SigningAlg: "ES256"}})
	if err != nil || out.Token.AccessToken != "cc-token" {
		t.Fatalf("got %+v %v", out, err)
	}
	if len(h.signed) != 1 || h.signed[0].Profile != testProfile || h.signed[0].Alg != "ES256" {
		t.Fatalf("signed %+v", h.signed)
	}
	if form.Get("grant_type") != "client_credentials" || form.Get("resource") != mcpServerURL ||
		form.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" || form.Has("client_secret") {
		t.Errorf("form %v", form)
	}
	parts := strings.Split(form.Get("client_assertion"), ".")
	if len(parts) != 3 {
		t.Fatalf("assertion %q", form.Get("client_assertion"))
	}
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if len(sig) != 64 || !ecdsa.Verify(&key.PublicKey, sum[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		t.Fatal("the assertion's signature does not verify")
	}
	var claims map[string]any
	raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
	json.Unmarshal(raw, &claims)
	if claims["iss"] != "svc" || claims["sub"] != "svc" || claims["aud"] != mcpIssuer || claims["jti"] == "" ||
		claims["exp"].(float64)-claims["iat"].(float64) != 300 {
		t.Errorf("claims %v", claims)
	}
	// A host without the key: the message says how to give it.
	h.sign = nil
	_, err = e.MCPAuthorize(api.MCPAuthorizeInput{ServerURL: mcpServerURL, Grant: api.GrantClientCredentials,
		Client: &api.MCPClient{ClientID: "svc", SigningAlg: "ES256"}})
	if err == nil || err.Code != api.CodeBadInput || !strings.Contains(err.Message, "--private-key-file") {
		t.Fatalf("without a key: %+v", err)
	}
}

// Cross-app access: the IdP's token exchange for an ID-JAG naming the
// authorization server and the resource, then the JWT bearer grant there,
// the client authenticating as the server asks.
func TestMCPCrossAppAccess(t *testing.T) {
	w := newMCPWorld(t)
	w.docs["https://as.example/.well-known/oauth-authorization-server"] = strings.Replace(asMetadata(""), `["none","client_secret_basic"]`, `["client_secret_basic"]`, 1)
	var exchange, redeem url.Values
	var redeemAuth string
	w.token = func(f url.Values, r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		switch r.URL {
		case "https://idp.example/token":
			exchange = f
			return jsonResponse(200, `{"access_token":"ID-JAG","issued_token_type":"urn:ietf:params:oauth:token-type:id-jag","token_type":"N_A"}`)
		case "https://as.example/token":
			redeem, redeemAuth = f, r.Headers["Authorization"][0]
			return jsonResponse(200, `{"access_token":"AT-xaa","token_type":"Bearer","expires_in":3600}`)
		}
		t.Fatalf("token request to %s", r.URL)
		return nil, nil
	}
	_, e := mcpEngine(w)
	out, err := e.MCPAuthorize(api.MCPAuthorizeInput{ServerURL: mcpServerURL, Grant: api.GrantCrossAppAccess,
		Client:            &api.MCPClient{ClientID: "xaa", ClientSecret: "xs"},
		IdentityAssertion: &api.MCPIdentityAssertion{IdPTokenEndpoint: "https://idp.example/token", IDToken: "ID-TOKEN", IdPClientID: "idp-client"}})
	if err != nil || out.Token == nil || out.Token.AccessToken != "AT-xaa" {
		t.Fatalf("got %+v %v", out, err)
	}
	want := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:token-exchange"}, "requested_token_type": {"urn:ietf:params:oauth:token-type:id-jag"},
		"subject_token": {"ID-TOKEN"}, "subject_token_type": {"urn:ietf:params:oauth:token-type:id_token"},
		"audience": {mcpIssuer}, "resource": {mcpServerURL}, "client_id": {"idp-client"}}
	if exchange.Encode() != want.Encode() {
		t.Errorf("exchange\n%v\nwant\n%v", exchange, want)
	}
	if redeem.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" || redeem.Get("assertion") != "ID-JAG" ||
		redeem.Get("resource") != mcpServerURL || redeemAuth != "Basic "+basicAuth("xaa", "xs") {
		t.Errorf("redeem %v %q", redeem, redeemAuth)
	}
	// An IdP that issues something else is refused before the AS sees it.
	w.token = func(f url.Values, r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		if r.URL != "https://idp.example/token" {
			t.Fatalf("reached %s", r.URL)
		}
		return jsonResponse(200, `{"access_token":"x","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer"}`)
	}
	_, err = e.MCPAuthorize(api.MCPAuthorizeInput{ServerURL: mcpServerURL, Grant: api.GrantCrossAppAccess,
		Client:            &api.MCPClient{ClientID: "xaa", ClientSecret: "xs"},
		IdentityAssertion: &api.MCPIdentityAssertion{IdPTokenEndpoint: "https://idp.example/token", IDToken: "ID-TOKEN"}})
	if err == nil || err.Code != api.CodeInvalidResp || !strings.Contains(err.Message, "not an identity assertion grant") {
		t.Fatalf("got %+v", err)
	}
}
