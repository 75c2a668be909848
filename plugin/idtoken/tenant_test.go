package idtoken

import (
	"strings"
	"testing"
)

// Microsoft's multi-tenant issuer template: iss must be the template with
// the token's own tid in place, and tid must be a tenant ID.
func TestVerifyTenantTemplateIssuer(t *testing.T) {
	const (
		template = "https://login.example/{tenantid}/v2.0"
		tid      = "72f988bf-86f1-41af-91ab-2d7cd011db47"
		other    = "9188040d-6c67-4c5b-b112-36a304b66dad"
	)
	ks := testKeySet(t)
	opts := baseOptions()
	opts.Issuer = template
	cases := []struct {
		name    string
		changes map[string]any
		wantErr string // "" accepts
	}{
		{"own tenant", map[string]any{"iss": "https://login.example/" + tid + "/v2.0", "tid": tid}, ""},
		{"upper-case GUID", map[string]any{"iss": "https://login.example/" + strings.ToUpper(tid) + "/v2.0", "tid": strings.ToUpper(tid)}, ""},
		{"tid of another tenant", map[string]any{"iss": "https://login.example/" + tid + "/v2.0", "tid": other}, "issuer of tenant " + other},
		{"no tid", map[string]any{"iss": "https://login.example/" + tid + "/v2.0"}, "tid claim is missing"},
		{"tid not a GUID", map[string]any{"iss": "https://login.example/common/v2.0", "tid": "common"}, "not a tenant ID"},
		{"tid with a slash", map[string]any{"iss": "https://login.example/a/b/v2.0", "tid": "a/b"}, "not a tenant ID"},
		{"the template itself", map[string]any{"iss": template, "tid": tid}, "does not match"},
		{"other origin", map[string]any{"iss": "https://evil.example/" + tid + "/v2.0", "tid": tid}, "does not match"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := makeToken(hdr("RS256", "rsa1"), with(baseClaims(), c.changes), signRS256)
			_, err := Verify(raw, ks, opts)
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatalf("rejected: %v", err)
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
				t.Fatalf("got %v, want an error containing %q", err, c.wantErr)
			}
		})
	}
	// A fixed issuer never consults tid.
	raw := makeToken(hdr("RS256", "rsa1"), with(baseClaims(), map[string]any{"tid": "junk"}), signRS256)
	if _, err := Verify(raw, ks, baseOptions()); err != nil {
		t.Fatalf("fixed issuer with a tid claim: %v", err)
	}
}
