package flow

import (
	"strconv"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// checkScopes holds every requested scope to the grammar of RFC 6749 3.3,
//
//	scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
//
// printable ASCII without space, '"' or '\'. A server meets a bad scope
// only after the browser has opened, as an invalid_scope page or redirect;
// here the user learns at once which scope and which character are wrong.
func checkScopes(scopes []string) *api.Error {
	for _, s := range scopes {
		if s == "" {
			return failf(api.CodeBadInput, "an empty scope was given; separate scopes with single spaces, e.g. \"openid profile\"")
		}
		n := 0
		for _, r := range s {
			n++
			if r < 0x21 || r == '"' || r == '\\' || r > 0x7e {
				return failf(api.CodeBadInput, "scope %q: character %d (%s) is not allowed; a scope is printable ASCII without spaces, quotes or backslashes (RFC 6749 3.3)",
					clean(s), n, strconv.QuoteRuneToASCII(r))
			}
		}
	}
	return nil
}
