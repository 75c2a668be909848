package discovery

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
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
		return "", fmt.Errorf("discovery: issuer %q is not an absolute URL", issuer)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return "", fmt.Errorf("discovery: issuer %q must not have a query or fragment (RFC 8414 2)", issuer)
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
		return fmt.Errorf("%s is missing", field)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%s is not a valid URL", field)
	}
	if u.Scheme == "" || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("%s is not an absolute URL", field)
	}
	if u.User != nil {
		return fmt.Errorf("%s must not contain a user name or password", field)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return fmt.Errorf("%s must not contain a fragment", field)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%s must use https; plain http is allowed only for localhost, not %q", field, u.Hostname())
	default:
		return fmt.Errorf("%s must use https, not %q", field, u.Scheme)
	}
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.Unmap().IsLoopback()
}
