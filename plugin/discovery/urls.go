package discovery

import (
	"errors"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

const (
	oidcWellKnown  = "/.well-known/openid-configuration"
	oauthWellKnown = "/.well-known/oauth-authorization-server"
)

// OIDCURL is where OpenID Connect Discovery 4.1 publishes metadata: the
// well-known suffix is appended to the issuer, path included.
func OIDCURL(issuer string) string {
	return strings.TrimSuffix(issuer, "/") + oidcWellKnown
}

// OAuthURL is where RFC 8414 3.1 publishes metadata: unlike OIDC, the
// well-known segment goes between the host and the issuer's path, so
// https://a.example/tenant becomes
// https://a.example/.well-known/oauth-authorization-server/tenant.
func OAuthURL(issuer string) (string, error) {
	u, err := url.Parse(issuer)
	if err != nil {
		return "", errors.New("discovery: issuer is not a valid URL")
	}
	if u.Scheme == "" || u.Host == "" {
		return "", errors.New("discovery: issuer " + strconv.Quote(issuer) + " is not an absolute URL")
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return "", errors.New("discovery: issuer " + strconv.Quote(issuer) + " must not have a query or fragment (RFC 8414 2)")
	}
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	return u.Scheme + "://" + u.Host + oauthWellKnown + path, nil
}

// CheckEndpointURL enforces what every endpoint must satisfy before the
// client sends a code, a token or a credential to it: an absolute https URL
// without a fragment (RFC 6749 3.1) or embedded credentials. Plain http is
// accepted only on loopback hosts, where local development servers run and
// nothing crosses a network.
//
// field names the setting or metadata field so the message says which value
// is wrong; the URL itself is not echoed in case it embeds a secret.
func CheckEndpointURL(field, raw string) error {
	if raw == "" {
		return errors.New(field + " is missing")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New(field + " is not a valid URL")
	}
	if u.Scheme == "" || u.Host == "" || u.Opaque != "" {
		return errors.New(field + " is not an absolute URL")
	}
	if u.User != nil {
		return errors.New(field + " must not contain a user name or password")
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return errors.New(field + " must not contain a fragment")
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return errors.New(field + " must use https; plain http is allowed only for localhost, not " + strconv.Quote(u.Hostname()))
	default:
		return errors.New(field + " must use https, not " + strconv.Quote(u.Scheme))
	}
}

// isLoopback accepts localhost and the loopback addresses 127.0.0.0/8 and
// ::1, an IPv4-mapped IPv6 address counting as the IPv4 address it maps.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}
