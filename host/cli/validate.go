package cli

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// checkFlags catches flag values that are wrong in form before anything
// is loaded or sent, as usage errors (exit 2) that show the expected form.
// Whether a server accepts them is the plugin's business.
func (c *command) checkFlags() error {
	if c.scopes != "" {
		// Scopes are separated by spaces (RFC 6749 3.3); commas only for a
		// provider that wants them (scopesFor).
		c.provider.Scopes = strings.Fields(c.scopes)
	}
	p := c.provider
	for _, u := range []struct{ flag, value, example string }{
		{"--issuer", p.Issuer, "https://login.example.com"},
		{"--auth-url", p.AuthorizationEndpoint, "https://login.example.com/oauth/authorize"},
		{"--token-url", p.TokenEndpoint, "https://login.example.com/oauth/token"},
		{"--jwks-url", p.JWKSURI, "https://login.example.com/keys"},
		{"--device-url", p.DeviceAuthorizationEndpoint, "https://login.example.com/oauth/device/code"},
		{"--revocation-url", p.RevocationEndpoint, "https://login.example.com/oauth/revoke"},
	} {
		if err := checkURLFlag(u.flag, u.value, u.example); err != nil {
			return err
		}
	}
	if u, err := url.Parse(p.Issuer); err == nil && (u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(p.Issuer, "?#")) {
		return usageError("--issuer %q: an issuer has no query or fragment (OpenID Connect Discovery 4.1); give it without ?... or #..., e.g. --issuer https://login.example.com", p.Issuer)
	}
	return nil
}

// checkURLFlag holds a URL flag to the transport rule the host enforces
// (httpguard): https, or http to this machine only.
func checkURLFlag(flag, value, example string) error {
	if value == "" {
		return nil
	}
	u, err := url.Parse(value)
	switch {
	case err != nil || u.Scheme == "" || u.Opaque != "":
		return usageError("%s %q is not a URL; give the full address with https://, e.g. %s %s", flag, value, flag, example)
	case u.Host == "" || u.Hostname() == "":
		return usageError("%s %q has no host name; give the full address, e.g. %s %s", flag, value, flag, example)
	case u.User != nil:
		return usageError("%s: a URL with a user name or password in it is not accepted; give the address alone, e.g. %s %s", flag, flag, example)
	case strings.EqualFold(u.Scheme, "https"):
		return nil
	case strings.EqualFold(u.Scheme, "http") && isLoopback(u.Hostname()):
		return nil
	case strings.EqualFold(u.Scheme, "http"):
		return usageError("%s %q: plain http is only accepted for 127.0.0.1, ::1 and localhost; use https, e.g. %s https://%s%s", flag, value, flag, u.Host, u.EscapedPath())
	}
	return usageError("%s %q: use an https URL, e.g. %s %s", flag, value, flag, example)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func usageError(format string, args ...any) error {
	return &api.Error{Code: api.CodeBadInput, Message: fmt.Sprintf(format, args...)}
}

// scopesFor is the scope list of a login: as given, split at commas too
// when the provider takes a comma-separated list (Strava's preset). Anywhere
// else a comma is part of a scope, which is allowed (RFC 6749 3.3) but
// rarely meant, so it is pointed out.
func (c *command) scopesFor(p *api.Provider) []string {
	if p.ScopeSeparator == "," {
		var out []string
		for _, s := range p.Scopes {
			out = append(out, strings.FieldsFunc(s, func(r rune) bool { return r == ',' })...)
		}
		return out
	}
	if c.scopes != "" {
		for _, s := range p.Scopes {
			if strings.Contains(s, ",") {
				fmt.Fprintf(c.env.Stderr, "warning: --scopes: %q is sent as one scope; scopes are separated by spaces (RFC 6749 3.3), e.g. --scopes %q\n",
					s, strings.ReplaceAll(s, ",", " "))
			}
		}
	}
	return p.Scopes
}

// parseErrorText is the flag package's complaint with flags spelled the
// way this program documents them (--name).
func parseErrorText(err error) string {
	r := strings.NewReplacer("flag provided but not defined: -", "unknown flag --",
		"for flag -", "for flag --", "flag needs an argument: -", "flag needs an argument: --")
	return r.Replace(err.Error())
}
