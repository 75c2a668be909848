package mcpauth

import (
	"errors"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// ProfilePrefix starts the name of every profile made for an MCP server, so
// that such profiles never collide with an issuer's (host#client).
const ProfilePrefix = "mcp:"

// Profile is the profile name of the sign-in for the MCP server at
// serverURL: ProfilePrefix and the server's canonical URL. A host resolves
// it before it starts the plugin (to grant the instance that profile's
// secrets), the plugin when it stores the sign-in; both call this.
func Profile(serverURL string) (string, error) {
	c, err := Canonical(serverURL)
	if err != nil {
		return "", err
	}
	return ProfilePrefix + c, nil
}

// Canonical is the canonical URI of an MCP server (MCP authorization,
// "Canonical Server URI"; RFC 8707 2): scheme and host in lowercase, the
// scheme's default port left out, no fragment, the path as given except
// that a path of "/" alone is dropped, so https://MCP.example/ and
// https://mcp.example name one server. It must be https, or http to a
// loopback host, where nothing crosses a network; it carries no user
// information (it would travel as the resource parameter) and no fragment
// (RFC 8707 2 forbids one).
func Canonical(serverURL string) (string, error) {
	u, err := checkURL("the MCP server URL", serverURL)
	if err != nil {
		return "", err
	}
	out := origin(u)
	if p := u.EscapedPath(); p != "/" {
		out += p
	}
	if u.RawQuery != "" || u.ForceQuery {
		out += "?" + u.RawQuery
	}
	return out, nil
}

// CheckURL applies the rules every URL the profile fetches or sends a
// credential to must meet: absolute, https or http to loopback, no user
// information, no fragment. what names the value in the error.
func CheckURL(what, raw string) error {
	_, err := checkURL(what, raw)
	return err
}

func checkURL(what, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, errors.New(what + " is not a valid URL")
	case u.Scheme == "" || u.Host == "" || u.Opaque != "":
		return nil, errors.New(what + " " + strconv.Quote(clip(raw)) + " is not an absolute URL")
	case u.User != nil:
		return nil, errors.New(what + " must not contain a user name or password")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return nil, errors.New(what + " must not contain a fragment (#...)")
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return u, nil
	case "http":
		if IsLoopback(u.Hostname()) {
			return u, nil
		}
		return nil, errors.New(what + " must use https; plain http is allowed only to localhost, not to " + strconv.Quote(u.Hostname()))
	}
	return nil, errors.New(what + " must use https, not " + strconv.Quote(u.Scheme))
}

// Covers reports whether a protected resource metadata document whose
// resource member is prmResource speaks for the server at serverURL
// (RFC 9728 3.3: a client must not use metadata whose resource is not the
// one it is after). It does when both have the same origin and the
// document's path is the server's, or a whole-segment prefix of it: one
// document at the root may serve every path of its origin, as the root
// well-known location implies. Another origin, a sibling path or a longer
// path never does.
func Covers(prmResource, serverURL string) bool {
	r, err := checkURL("resource", prmResource)
	if err != nil {
		return false
	}
	s, err := checkURL("server", serverURL)
	if err != nil || origin(r) != origin(s) || r.RawQuery != "" {
		return false
	}
	rp := strings.TrimSuffix(r.EscapedPath(), "/")
	sp := strings.TrimSuffix(s.EscapedPath(), "/")
	return rp == "" || rp == sp || strings.HasPrefix(sp, rp+"/")
}

// Origin is scheme://host[:port] of a URL in the canonical form above.
func Origin(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", errors.New("not an absolute URL")
	}
	return origin(u), nil
}

func origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if strings.Contains(host, ":") { // an IPv6 literal
		host = "[" + host + "]"
	}
	if port != "" {
		return scheme + "://" + host + ":" + port
	}
	return scheme + "://" + host
}

// IsLoopback accepts localhost and the loopback addresses 127.0.0.0/8 and
// ::1 (an IPv4-mapped address counting as the address it maps).
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}
