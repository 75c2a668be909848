// Package loopback receives the authorization server's redirect back to a
// native app the way RFC 8252 section 7.3 describes: an HTTP listener on the
// loopback interface, on a port of the OS's choosing unless the user fixed
// one. It hands every request on the redirect path to the caller, which
// asks the flow whether it is this login's callback; a stray request gets an
// error page and the listener keeps waiting. At the first callback the flow
// takes it stops listening, so a stale or replayed redirect finds nothing to
// talk to.
package loopback

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Options configures Listen. The zero value listens on 127.0.0.1, on a port
// the OS picks, at /callback.
type Options struct {
	// Host is the loopback host: "127.0.0.1" (the default), any other
	// 127.0.0.0/8 address, "::1" (or "[::1]"), or "localhost". With
	// "localhost" the listener binds 127.0.0.1 (the name could resolve to
	// something else) but the redirect URI says "localhost", for servers
	// whose client registration requires that spelling.
	Host string
	// Port is the TCP port; 0 lets the OS pick a free one.
	Port int
	// Path is the redirect URI's path. Default "/callback".
	Path string
}

// Listener owns the socket from Listen until Wait returns or Close is called.
type Listener struct {
	ln          net.Listener
	redirectURI string
	authority   string // host:port as written in the redirect URI
	path        string
}

// Listen binds the socket at once, so the redirect URI (with the real port)
// is known before the browser is sent anywhere.
func Listen(opts Options) (*Listener, error) {
	bindHost, uriHost, err := resolveHost(opts.Host)
	if err != nil {
		return nil, err
	}
	if opts.Port < 0 || opts.Port > 65535 {
		return nil, fmt.Errorf("redirect port %d is out of range; use 1-65535, or 0 to let the system choose", opts.Port)
	}
	path := opts.Path
	if path == "" {
		path = "/callback"
	}
	if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("redirect path %q must start with / and contain no ? or #", path)
	}
	addr := net.JoinHostPort(bindHost, strconv.Itoa(opts.Port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen for the browser's redirect on %s: %v; choose another port, or 0 to let the system choose", addr, err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	authority := net.JoinHostPort(uriHost, strconv.Itoa(port))
	return &Listener{
		ln:          ln,
		redirectURI: "http://" + authority + path,
		authority:   authority,
		path:        path,
	}, nil
}

// resolveHost returns the address to bind and the host to write in the
// redirect URI. Only loopback is accepted: a listener reachable from the
// network would let anyone on it race the browser to the authorization code.
func resolveHost(host string) (bind, uri string, err error) {
	switch h := strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"); {
	case h == "":
		return "127.0.0.1", "127.0.0.1", nil
	case strings.EqualFold(h, "localhost"):
		return "127.0.0.1", "localhost", nil
	default:
		ip := net.ParseIP(h)
		if ip == nil || !ip.IsLoopback() {
			return "", "", fmt.Errorf("redirect host %q is not a loopback address; use 127.0.0.1, ::1 or localhost", host)
		}
		return ip.String(), ip.String(), nil
	}
}

// RedirectURI is the redirect_uri to send in the authorization request,
// e.g. "http://127.0.0.1:53127/callback".
func (l *Listener) RedirectURI() string { return l.redirectURI }

// Close releases the socket. It is safe to call more than once and after
// Wait.
func (l *Listener) Close() error {
	err := l.ln.Close()
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}
