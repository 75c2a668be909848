package browser

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// CheckURL decides whether url may be handed to a browser at all; the
// engine applies it to every open_browser call whatever opener a host lends. Open runs
// a program chosen by the environment ($BROWSER) or the platform opener
// (xdg-open, open, rundll32), which would just as well open a local file,
// run a javascript: or a custom-scheme handler, or read a leading '-' as
// one of its own options. The plugin only ever needs web pages: an
// authorization or verification page (https, RFC 8252 section 8.2, RFC
// 8628 section 3.3), or a local test server over http to the loopback
// interface (RFC 8252 section 8.3). Anything else is refused before any
// program starts.
func CheckURL(raw string) error {
	if raw == "" {
		return fmt.Errorf("refusing to open an empty address in a browser")
	}
	if strings.HasPrefix(raw, "-") {
		return fmt.Errorf("refusing to open an address that starts with '-' (a browser would read it as an option)")
	}
	for _, r := range raw {
		if r <= ' ' || r == 0x7f {
			return fmt.Errorf("refusing to open an address containing spaces or control characters; a web address has them percent-encoded")
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("refusing to open something that is not a web address in a browser")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return fmt.Errorf("refusing to open a %q address in a browser: only https, or http to this machine (127.0.0.1, [::1], localhost), is opened", u.Scheme)
	}
	if u.Opaque != "" || u.Host == "" {
		return fmt.Errorf("refusing to open something that is not an absolute web address in a browser")
	}
	if u.User != nil {
		return fmt.Errorf("refusing to open an address with a user name or password in it (a known way to disguise where a link goes)")
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return fmt.Errorf("refusing to open a plain http address on %q in a browser: only https, or http to this machine (127.0.0.1, [::1], localhost), is opened", u.Hostname())
	}
	return nil
}

// isLoopback accepts the names RFC 8252 section 7.3 uses for this machine:
// 127.0.0.0/8, ::1 and localhost.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
