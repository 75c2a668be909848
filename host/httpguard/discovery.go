package httpguard

import (
	"encoding/json"
	"net/url"
	"strings"
)

// isDiscoveryRequest recognises the two metadata documents whose contents
// extend the allowlist: OpenID Connect Discovery (the well-known suffix is
// appended to the issuer's path) and RFC 8414 authorization server metadata
// (the well-known prefix is inserted before the issuer's path).
func isDiscoveryRequest(method, path string) bool {
	return method == "GET" &&
		(strings.HasSuffix(path, "/.well-known/openid-configuration") ||
			strings.HasPrefix(path, "/.well-known/oauth-authorization-server"))
}

// learnFromDiscovery allows the origins the issuer itself names as its
// endpoints. The document was fetched from an already allowed origin, so
// the issuer vouches for them; the plugin cannot add hosts any other way.
// A document that is not a JSON object teaches nothing.
func (g *Guard) learnFromDiscovery(body string) {
	var doc map[string]any
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		return
	}
	var learned []string
	for field, value := range doc {
		if field != "issuer" && field != "jwks_uri" && !strings.HasSuffix(field, "_endpoint") {
			continue
		}
		s, ok := value.(string)
		if !ok {
			continue
		}
		u, err := url.Parse(s)
		if err != nil || u.User != nil || !schemeAcceptable(u) {
			continue
		}
		if o, err := originOfURL(u); err == nil {
			learned = append(learned, o)
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, o := range learned {
		g.allowed[o] = struct{}{}
	}
}
