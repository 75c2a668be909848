package mcpauth

import (
	"net/url"
	"strings"
)

const (
	prmWellKnown   = "/.well-known/oauth-protected-resource"
	oauthWellKnown = "/.well-known/oauth-authorization-server"
	oidcWellKnown  = "/.well-known/openid-configuration"
)

// ResourceMetadataURLs are where a client looks for an MCP server's
// protected resource metadata when its challenge names no URL, in order
// (MCP authorization, "Protected Resource Metadata Discovery"; RFC 9728
// 3.1): the well-known segment inserted before the server's path, then the
// origin's root document. A server without a path has only the root one.
func ResourceMetadataURLs(serverURL string) []string {
	u, err := checkURL("server", serverURL)
	if err != nil {
		return nil
	}
	o := origin(u)
	var out []string
	if p := strings.TrimSuffix(u.EscapedPath(), "/"); p != "" {
		out = append(out, o+prmWellKnown+p)
	}
	return append(out, o+prmWellKnown)
}

// MetadataURLs are where an authorization server's metadata is looked for,
// in the order MCP authorization ("Authorization Server Metadata
// Discovery") fixes: for an issuer with a path, the RFC 8414 3.1 location
// (well-known segment inserted before the path), the OpenID Connect
// document inserted the same way, then the OpenID Connect Discovery 4.1
// location (appended to the issuer); for one without, the RFC 8414 and the
// OpenID Connect documents at the root. Each document must name the issuer
// itself; nil when the issuer cannot be an issuer (RFC 8414 2: https, no
// query or fragment).
func MetadataURLs(issuer string) []string {
	u, err := checkURL("issuer", issuer)
	if err != nil || u.RawQuery != "" || u.ForceQuery {
		return nil
	}
	o := origin(u)
	p := strings.TrimSuffix(u.EscapedPath(), "/")
	if p == "" {
		return []string{o + oauthWellKnown, o + oidcWellKnown}
	}
	return []string{o + oauthWellKnown + p, o + oidcWellKnown + p, strings.TrimSuffix(issuer, "/") + oidcWellKnown}
}

// Legacy is where a server of the 2025-03-26 revision, which publishes no
// protected resource metadata, keeps its authorization server: the MCP
// server's origin is the authorization base URL, its RFC 8414 document is at
// that origin's root, and without one the endpoints are fixed paths on it
// (MCP 2025-03-26 authorization, "Server Metadata Discovery" and "Fallbacks
// for Servers without Metadata Discovery").
type Legacy struct {
	Base          string // the origin
	MetadataURL   string
	Authorization string
	Token         string
	Registration  string
}

// LegacyEndpoints is Legacy for the server at serverURL.
func LegacyEndpoints(serverURL string) (Legacy, bool) {
	u, err := checkURL("server", serverURL)
	if err != nil {
		return Legacy{}, false
	}
	o := origin(u)
	return Legacy{Base: o, MetadataURL: o + oauthWellKnown,
		Authorization: o + "/authorize", Token: o + "/token", Registration: o + "/register"}, true
}

// SameDocument reports whether two URLs name one document: the same origin
// and escaped path, neither with a query, user information or fragment.
// Hosts compare a request with a derived metadata location this way.
func SameDocument(a, b string) bool {
	ca, ok := documentKey(a)
	if !ok {
		return false
	}
	cb, ok := documentKey(b)
	return ok && ca == cb
}

func documentKey(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "" {
		return "", false
	}
	return origin(u) + u.EscapedPath(), true
}
