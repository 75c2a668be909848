package discovery

import (
	"strings"
	"testing"
)

const issuer = "https://login.example.com/tenant"

// metadataJSON builds a valid document, then applies overrides as raw JSON
// members so a test can break exactly one field.
func metadataJSON(overrides ...string) []byte {
	fields := map[string]string{
		"issuer":                 `"` + issuer + `"`,
		"authorization_endpoint": `"https://login.example.com/tenant/authorize"`,
		"token_endpoint":         `"https://login.example.com/tenant/token"`,
		"jwks_uri":               `"https://login.example.com/tenant/keys"`,
	}
	for _, o := range overrides {
		name, value, _ := strings.Cut(o, "=")
		if value == "" {
			delete(fields, name)
			continue
		}
		fields[name] = value
	}
	var b strings.Builder
	b.WriteString("{")
	sep := ""
	for name, value := range fields {
		b.WriteString(sep + `"` + name + `":` + value)
		sep = ","
	}
	b.WriteString("}")
	return []byte(b.String())
}

func TestParseAcceptsFullDocument(t *testing.T) {
	m, err := Parse(metadataJSON(
		`userinfo_endpoint="https://login.example.com/userinfo"`,
		`revocation_endpoint="https://login.example.com/revoke"`,
		`device_authorization_endpoint="https://login.example.com/device"`,
		`introspection_endpoint="https://login.example.com/introspect"`,
		`end_session_endpoint="https://login.example.com/logout"`,
		`scopes_supported=["openid","email"]`,
		`response_types_supported=["code"]`,
		`grant_types_supported=["authorization_code","refresh_token"]`,
		`code_challenge_methods_supported=["plain","S256"]`,
		`token_endpoint_auth_methods_supported=["none"]`,
		`id_token_signing_alg_values_supported=["RS256"]`,
		`authorization_response_iss_parameter_supported=true`,
		`unknown_extension={"a":1}`,
	), issuer)
	if err != nil {
		t.Fatal(err)
	}
	if m.TokenEndpoint != "https://login.example.com/tenant/token" || m.JWKSURI != "https://login.example.com/tenant/keys" ||
		m.DeviceAuthorizationEndpoint != "https://login.example.com/device" || m.EndSessionEndpoint != "https://login.example.com/logout" ||
		!m.AuthorizationResponseIssParameterSupported || len(m.GrantTypesSupported) != 2 || m.IDTokenSigningAlgValuesSupported[0] != "RS256" {
		t.Fatalf("fields not decoded: %+v", m)
	}
	if !m.SupportsS256() {
		t.Error("SupportsS256 = false with S256 listed")
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name     string
		body     []byte
		expected string
		wantErr  string
	}{
		{"empty body", nil, issuer, "empty"},
		{"HTML page", []byte("<!doctype html><html>login</html>"), issuer, "HTML page"},
		{"JSON array", []byte(`["x"]`), issuer, "not a JSON object"},
		{"truncated", []byte(`{"issuer":"https://login.exa`), issuer, "not valid"},
		{"wrong type", metadataJSON(`scopes_supported="openid"`), issuer, "scopes_supported"},
		{"wrong element type", metadataJSON(`code_challenge_methods_supported=[1]`), issuer, "code_challenge_methods_supported: expected a string, found a number"},
		{"data after the object", []byte(`{"issuer":"x"} {}`), issuer, "not valid"},
		{"missing issuer", metadataJSON("issuer="), issuer, "no issuer"},
		{"different issuer", metadataJSON(`issuer="https://evil.example/tenant"`), issuer, `"https://evil.example/tenant" does not match the configured issuer`},
		{"trailing slash differs", metadataJSON(`issuer="` + issuer + `/"`), issuer, "does not match"},
		{"expected has trailing slash", metadataJSON(), issuer + "/", "does not match"},
		{"http issuer", metadataJSON(`issuer="http://login.example.com"`), "http://login.example.com", "issuer must use https"},
		{"missing authorization_endpoint", metadataJSON("authorization_endpoint="), issuer, "authorization_endpoint is missing"},
		{"missing token_endpoint", metadataJSON("token_endpoint="), issuer, "token_endpoint is missing"},
		{"relative token_endpoint", metadataJSON(`token_endpoint="/token"`), issuer, "token_endpoint is not an absolute URL"},
		{"http jwks_uri", metadataJSON(`jwks_uri="http://login.example.com/keys"`), issuer, "jwks_uri must use https"},
		{"http revocation", metadataJSON(`revocation_endpoint="http://x.example/r"`), issuer, "revocation_endpoint must use https"},
		{"fragment in device endpoint", metadataJSON(`device_authorization_endpoint="https://x.example/d#x"`), issuer, "device_authorization_endpoint must not contain a fragment"},
		{"javascript userinfo", metadataJSON(`userinfo_endpoint="javascript:alert(1)"`), issuer, "userinfo_endpoint is not an absolute URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse(tt.body, tt.expected)
			if err == nil {
				t.Fatalf("accepted: %+v", m)
			}
			if !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "discovery: ") {
				t.Fatalf("error = %q, want it to mention %q", err, tt.wantErr)
			}
		})
	}
}

func TestParseAllowsLoopbackHTTP(t *testing.T) {
	const local = "http://localhost:8080/realms/dev"
	body := metadataJSON(`issuer="`+local+`"`, `authorization_endpoint="http://127.0.0.1:8080/auth"`, `token_endpoint="http://[::1]:8080/token"`, `jwks_uri=`)
	if _, err := Parse(body, local); err != nil {
		t.Fatal(err)
	}
}

func TestSupportsS256(t *testing.T) {
	tests := []struct {
		name    string
		methods []string
		want    bool
	}{
		{"absent list", nil, true},
		{"S256 listed", []string{"S256"}, true},
		{"only plain", []string{"plain"}, false},
		{"explicitly empty", []string{}, false},
		{"case matters", []string{"s256"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &Metadata{CodeChallengeMethodsSupported: tt.methods}
			if got := m.SupportsS256(); got != tt.want {
				t.Errorf("SupportsS256() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseDistinguishesEmptyMethodList(t *testing.T) {
	m, err := Parse(metadataJSON(`code_challenge_methods_supported=[]`), issuer)
	if err != nil {
		t.Fatal(err)
	}
	if m.SupportsS256() {
		t.Error("an explicit empty list was treated as absent")
	}
}
