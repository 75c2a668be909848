package httpguard

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// originOf reduces a URL to "scheme://host[:port]" with the scheme and host
// lowercased and the scheme's default port left out, so that
// "https://Example.com:443/x" and "https://example.com/y" compare equal.
func originOf(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", err
	}
	return originOfURL(u)
}

func originOfURL(u *url.URL) (string, error) {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if scheme == "" || host == "" {
		return "", fmt.Errorf("%q is not an absolute URL", u.Redacted())
	}
	port := u.Port()
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if port != "" {
		return scheme + "://" + net.JoinHostPort(host, port), nil
	}
	if strings.Contains(host, ":") { // IPv6 literal
		host = "[" + host + "]"
	}
	return scheme + "://" + host, nil
}

// isLoopbackHost reports whether plain http is acceptable for host: traffic
// to the loopback interface never leaves the machine (RFC 8252 section 8.3),
// which is also what local test servers rely on.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// schemeAcceptable is the transport rule shared by requests and by origins
// learned from discovery: https anywhere, http only on loopback.
func schemeAcceptable(u *url.URL) bool {
	switch strings.ToLower(u.Scheme) {
	case "https":
		return true
	case "http":
		return isLoopbackHost(u.Hostname())
	}
	return false
}

// check applies the policy to req before any network traffic happens.
// Messages name only the origin, never the path or query, which can carry
// codes or tokens.
func (g *Guard) check(req api.HTTPRequest) (*url.URL, string, *api.Error) {
	switch req.Method {
	case "GET", "POST":
	default:
		return nil, "", &api.Error{
			Code:    api.HostDenied,
			Message: fmt.Sprintf("the host only performs GET and POST requests, not %q", req.Method),
		}
	}
	u, err := url.Parse(req.URL)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return nil, "", &api.Error{
			Code:    api.HostDisallowedHost,
			Message: "the plugin asked for a URL that is not absolute or cannot be parsed; check the issuer and endpoint URLs in the configuration",
		}
	}
	origin, err := originOfURL(u)
	if err != nil {
		return nil, "", &api.Error{Code: api.HostDisallowedHost, Message: err.Error()}
	}
	if u.User != nil {
		return nil, "", &api.Error{
			Code:    api.HostDisallowedHost,
			Message: fmt.Sprintf("refusing a request to %s: URLs with embedded user names or passwords are not allowed", origin),
		}
	}
	if !schemeAcceptable(u) {
		return nil, "", &api.Error{
			Code: api.HostDisallowedHost,
			Message: fmt.Sprintf("refusing a request to %s: only https is allowed (plain http only for 127.0.0.1, ::1 and localhost); "+
				"use the server's https URL", origin),
		}
	}
	if !g.isAllowed(origin) {
		return nil, "", &api.Error{
			Code: api.HostDisallowedHost,
			Message: fmt.Sprintf("refusing a request to %s: it is neither the configured issuer nor an endpoint named in the issuer's discovery document; "+
				"if this server is legitimate, configure its endpoint explicitly", origin),
		}
	}
	return u, origin, nil
}
