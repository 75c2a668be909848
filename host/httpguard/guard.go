// Package httpguard performs the HTTP exchanges the flow plugin asks for, and
// is the sandbox's network boundary: the plugin can only reach origins the
// user configured (the issuer and explicit endpoints) or that the configured
// issuer's own discovery document names for its back-channel endpoints (see
// learnFromDiscovery). Everything else is refused before a socket is opened.
//
// The guard never follows redirects. A redirect is handed back to the plugin
// as an ordinary response, so a server cannot bounce a request carrying a
// client secret or an authorization code to a host nobody allowed.
package httpguard

import (
	"context"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// Defaults used when Options leaves a field zero.
const (
	DefaultTimeout          = 30 * time.Second
	DefaultMaxResponseBytes = 1 << 20 // 1 MiB: far above any discovery document, JWKS or token response
)

// userAgent identifies the tool to authorization servers, which sometimes
// block Go's default agent string.
const userAgent = "wasmlogin"

// Options configures a Guard. The zero value is usable.
type Options struct {
	// Timeout bounds one whole exchange: connecting, sending, and reading
	// the body. Zero means DefaultTimeout.
	Timeout time.Duration
	// MaxResponseBytes caps the response body. Zero means DefaultMaxResponseBytes.
	MaxResponseBytes int64
	// Issuer is the configured issuer, whose discovery document alone may
	// widen the allowlist; see SetIssuer.
	Issuer string
	// Client replaces the HTTP client (tests; NewTransport's settings).
	// The guard uses a copy with redirect following turned off; the
	// caller's client is not modified.
	Client *http.Client
	// TrustHint and ClientCertHint finish the messages about refused TLS
	// certificates with how this host's user trusts a certificate
	// authority or gives a client certificate; empty means a generic hint.
	TrustHint, ClientCertHint string
}

// Guard executes HTTP requests for the plugin under the allowlist policy.
// It is safe for concurrent use.
type Guard struct {
	client   *http.Client
	timeout  time.Duration
	maxBytes int64

	trustHint, clientCertHint string

	mu            sync.Mutex
	allowed       map[string]struct{} // origins, see originOf
	issuer        string              // see SetIssuer
	discoveryURLs []string            // the issuer's metadata URLs, see discoveryTargets

	// The MCP profile's rules (mcp.go): the server, the locations of its
	// resource metadata, the issuers that metadata named.
	mcpServer  string
	prmTargets []string
	mcpIssuers []string
}

// New returns a Guard with an empty allowlist; call Allow before Do.
func New(opts Options) *Guard {
	g := &Guard{
		timeout:  opts.Timeout,
		maxBytes: opts.MaxResponseBytes,
		allowed:  map[string]struct{}{},
	}
	if g.timeout <= 0 {
		g.timeout = DefaultTimeout
	}
	if g.maxBytes <= 0 {
		g.maxBytes = DefaultMaxResponseBytes
	}
	g.trustHint, g.clientCertHint = opts.TrustHint, opts.ClientCertHint
	if g.trustHint == "" {
		g.trustHint = defaultTrustHint
	}
	if g.clientCertHint == "" {
		g.clientCertHint = defaultClientCertHint
	}
	var c http.Client
	if opts.Client != nil {
		c = *opts.Client
	} else {
		// Cloned so proxy settings from the environment still apply
		// (corporate networks) without sharing state with other users
		// of http.DefaultTransport.
		c.Transport = http.DefaultTransport.(*http.Transport).Clone()
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	// The per-request context carries the timeout; a client-level timeout
	// would only produce a second, less precise error.
	c.Timeout = 0
	g.client = &c
	g.SetIssuer(opts.Issuer)
	return g
}

// Allow adds the origin (scheme, host and port) of rawURL to the allowlist.
// The host calls it with the configured issuer and any explicitly configured
// endpoints. A URL that cannot be parsed, or has no host, is ignored: the
// configuration layer validates URLs and reports them to the user.
func (g *Guard) Allow(rawURL string) {
	o, err := originOf(rawURL)
	if err != nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.allowed[o] = struct{}{}
}

// Allowed lists the allowed origins, sorted, for diagnostics.
func (g *Guard) Allowed() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]string, 0, len(g.allowed))
	for o := range g.allowed {
		out = append(out, o)
	}
	sort.Strings(out)
	return out
}

func (g *Guard) isAllowed(origin string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	_, ok := g.allowed[origin]
	return ok
}

// Do performs req if policy allows it. It never returns a Go error: every
// failure is an api.Error with one of the api.Host* codes, ready to hand to
// the plugin.
func (g *Guard) Do(ctx context.Context, req api.HTTPRequest) api.Reply[api.HTTPResponse] {
	target, origin, failure := g.check(req)
	if failure != nil {
		return api.Reply[api.HTTPResponse]{Error: failure}
	}
	resp, failure := g.exchange(ctx, req, target, origin)
	if failure != nil {
		return api.Reply[api.HTTPResponse]{Error: failure}
	}
	g.learnFromDiscovery(req, resp)
	g.learnFromMCP(req, resp)
	return api.Reply[api.HTTPResponse]{OK: resp}
}
