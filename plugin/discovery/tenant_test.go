package discovery

import (
	"strings"
	"testing"
)

// Microsoft's "common" metadata names its issuer as a template; only the
// multi-tenant aliases may use it, and only at the placeholder's place.
func TestParseTenantTemplateIssuer(t *testing.T) {
	doc := func(issuer string) []byte {
		return []byte(`{"issuer":"` + issuer + `","authorization_endpoint":"https://login.example/common/oauth2/v2.0/authorize",
"token_endpoint":"https://login.example/common/oauth2/v2.0/token","jwks_uri":"https://login.example/common/discovery/v2.0/keys"}`)
	}
	const template = "https://login.example/{tenantid}/v2.0"
	cases := []struct {
		configured, issuer string
		ok                 bool
	}{
		{"https://login.example/common/v2.0", template, true},
		{"https://login.example/organizations/v2.0", template, true},
		{"https://login.example/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0", template, false}, // a tenant of its own
		{"https://login.example/consumers/v2.0", template, false},
		{"https://login.example/common/v1.0", template, false},
		{"https://other.example/common/v2.0", template, false},
		{"https://login.example/common/v2.0", "https://{tenantid}/v2.0", false}, // not in the path
		{"https://login.example/common/v2.0", "https://login.example/{tenantid}/{tenantid}/v2.0", false},
	}
	for _, c := range cases {
		md, err := Parse(doc(c.issuer), c.configured)
		if c.ok && (err != nil || md.Issuer != c.issuer) {
			t.Errorf("%s with metadata issuer %s: %v", c.configured, c.issuer, err)
		}
		if !c.ok && (err == nil || !strings.Contains(err.Error(), "does not match")) {
			t.Errorf("%s with metadata issuer %s: accepted, want a mismatch", c.configured, c.issuer)
		}
	}
}

func TestMatchTenantTemplate(t *testing.T) {
	const template = "https://login.example/{tenantid}/v2.0"
	for s, want := range map[string]string{
		"https://login.example/abc/v2.0":   "abc",
		"https://login.example//v2.0":      "",
		"https://login.example/a/b/v2.0":   "",
		"https://login.example/a%2fb/v2.0": "",
		"https://login.example/abc/v2.0/x": "",
		"http://login.example/abc/v2.0":    "",
	} {
		got, ok := MatchTenantTemplate(template, s)
		if got != want || ok != (want != "") {
			t.Errorf("MatchTenantTemplate(%q) = %q, %v; want %q", s, got, ok, want)
		}
	}
}
