package httpguard

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// learnedFields are the metadata members whose origins the host may add to
// the allowlist: the endpoints the plugin itself calls over the back
// channel (OpenID Connect Discovery 1.0 section 3, RFC 8414 section 2,
// RFC 8628 section 4, RFC 9126 section 5), and the authorization endpoint,
// which login_begin requests once, without following redirects, so that a
// client or redirect URI the server refuses is reported before a browser
// opens (RFC 6749 4.1.2.1). Any other member, however it is named, teaches
// nothing.
var learnedFields = []string{
	"authorization_endpoint",
	"token_endpoint",
	"jwks_uri",
	"userinfo_endpoint",
	"revocation_endpoint",
	"device_authorization_endpoint",
	"pushed_authorization_request_endpoint",
}

// SetIssuer names the configured issuer, the only one whose metadata may
// widen the allowlist (see learnFromDiscovery). Without it, or with "",
// nothing is ever learned and only the origins given to Allow are reached:
// servers without discovery (GitHub, Strava) and explicit endpoints.
func (g *Guard) SetIssuer(issuer string) {
	targets := discoveryTargets(issuer)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.issuer, g.discoveryURLs = issuer, targets
}

// discoveryTargets are the two documents where the issuer publishes its
// metadata, in the canonical form of canonicalTarget: OpenID Connect
// Discovery 1.0 section 4.1 appends the well-known suffix to the issuer;
// RFC 8414 section 3.1 inserts the well-known segment between the origin
// and the issuer's path.
func discoveryTargets(issuer string) []string {
	if issuer == "" {
		return nil
	}
	var out []string
	if t, ok := canonicalTarget(strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"); ok {
		out = append(out, t)
	}
	u, err := url.Parse(issuer)
	if err != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return out
	}
	if o, err := originOfURL(u); err == nil {
		if t, ok := canonicalTarget(o + "/.well-known/oauth-authorization-server" + strings.TrimSuffix(u.EscapedPath(), "/")); ok {
			out = append(out, t)
		}
	}
	return out
}

// canonicalTarget is a request URL reduced to origin and escaped path, so
// that a request and a derived discovery URL compare equal exactly when
// they name the same document. URLs with user information, a query or a
// fragment are never discovery targets.
func canonicalTarget(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "" {
		return "", false
	}
	o, err := originOfURL(u)
	if err != nil {
		return "", false
	}
	return o + u.EscapedPath(), true
}

// learnFromDiscovery widens the allowlist from the configured issuer's own
// metadata, and from nothing else. The rule, shared by every host
// (wit/EMBEDDING.md): the request was a GET of exactly one of the issuer's
// two discovery URLs, the answer is 200 with a JSON object whose "issuer"
// equals the configured issuer byte for byte (OpenID Connect Discovery 1.0
// section 4.3, RFC 8414 section 3.3), and then only the origins of
// learnedFields are added, each https (or http to loopback) without user
// information. A file an issuer happens to serve at some other path, a
// document naming another issuer, or any other member cannot teach an
// origin.
func (g *Guard) learnFromDiscovery(req api.HTTPRequest, resp *api.HTTPResponse) {
	if req.Method != http.MethodGet || resp.Status != http.StatusOK {
		return
	}
	target, ok := canonicalTarget(req.URL)
	if !ok {
		return
	}
	g.mu.Lock()
	issuer, wanted := g.issuer, false
	for _, t := range g.discoveryURLs {
		wanted = wanted || t == target
	}
	g.mu.Unlock()
	if !wanted {
		return
	}
	g.learnEndpoints(resp, issuer, learnedFields)
}

// topLevelMembers splits a JSON object into its members. A body that is
// not exactly one object, or names a member twice (RFC 8259 section 4 leaves
// the meaning open, and parsers disagree on which value wins), is refused
// as a whole.
func topLevelMembers(body []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	members := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, _ := tok.(string)
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, err
		}
		if _, dup := members[name]; dup {
			return nil, errors.New("member named twice")
		}
		members[name] = value
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, errors.New("not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the object")
	}
	return members, nil
}
