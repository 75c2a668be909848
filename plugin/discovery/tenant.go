package discovery

import "strings"

// TenantPlaceholder is how Microsoft's multi-tenant metadata (the
// "common" and "organizations" endpoints) writes its issuer:
// "https://login.microsoftonline.com/{tenantid}/v2.0". Microsoft documents
// that an ID token then names the user's own tenant, and that its iss must
// equal this template with {tenantid} replaced by the token's tid claim
// (https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens#validate-the-issuer).
const TenantPlaceholder = "{tenantid}"

// IsTenantTemplate reports whether issuer is such a template: exactly one
// placeholder, in the path (never in the scheme or host).
func IsTenantTemplate(issuer string) bool {
	before, after, ok := strings.Cut(issuer, TenantPlaceholder)
	if !ok || strings.Contains(after, TenantPlaceholder) {
		return false
	}
	_, rest, ok := strings.Cut(before, "://")
	return ok && strings.Contains(rest, "/")
}

// MatchTenantTemplate reports whether s is template with the placeholder
// replaced by one non-empty path segment, and returns that segment. Both
// the fixed parts (origin included) must match exactly.
func MatchTenantTemplate(template, s string) (tenant string, ok bool) {
	if !IsTenantTemplate(template) {
		return "", false
	}
	before, after, _ := strings.Cut(template, TenantPlaceholder)
	if len(s) <= len(before)+len(after) || !strings.HasPrefix(s, before) || !strings.HasSuffix(s, after) {
		return "", false
	}
	tenant = s[len(before) : len(s)-len(after)]
	if strings.ContainsAny(tenant, "/?#%{}\\ ") {
		return "", false
	}
	return tenant, true
}
