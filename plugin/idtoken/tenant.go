package idtoken

import (
	"errors"
	"strconv"
	"strings"
)

// tenantPlaceholder marks a per-tenant issuer template, as Microsoft's
// multi-tenant metadata publishes it ("https://login.microsoftonline.com/{tenantid}/v2.0").
const tenantPlaceholder = "{tenantid}"

// checkIssuer compares the token's iss with the expected issuer, byte for
// byte (OIDC Core 3.1.3.7 step 2). For a tenant template it follows
// Microsoft's documented rule
// (https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens#validate-the-issuer):
// the tid claim must be a tenant ID (a GUID) and iss must be the template
// with tid in place of the placeholder. The signature was checked before,
// so tid is the issuer's own statement.
func (c *Claims) checkIssuer(want string) error {
	if !strings.Contains(want, tenantPlaceholder) {
		if c.Issuer != want {
			return errors.New("id token: issuer " + strconv.Quote(c.Issuer) + " does not match " + strconv.Quote(want))
		}
		return nil
	}
	tid, _ := c.Raw["tid"].(string)
	if !isGUID(tid) {
		return errors.New("id token: the issuer is per tenant, but the tid claim is missing or not a tenant ID")
	}
	if exp := strings.Replace(want, tenantPlaceholder, tid, 1); c.Issuer != exp {
		return errors.New("id token: issuer " + strconv.Quote(c.Issuer) + " does not match " + strconv.Quote(exp) + " (the issuer of tenant " + tid + ")")
	}
	return nil
}

// isGUID accepts the 8-4-4-4-12 hexadecimal form tenant IDs have.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f' || 'A' <= r && r <= 'F') {
				return false
			}
		}
	}
	return true
}
