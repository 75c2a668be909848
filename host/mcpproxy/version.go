package mcpproxy

import (
	"encoding/json"
	"net/http"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
)

// protocolVersionHeader is the HTTP header that names the session's
// protocol version.
const protocolVersionHeader = "MCP-Protocol-Version"

// sessionVersion puts the negotiated protocol version on every HTTP request
// after initialization, as the Streamable HTTP transport requires of a
// client (MCP 2025-06-18 and later, basic/transports, "Protocol Version
// Header"; without it a server assumes 2025-03-26).
//
// The SDK's streamable client connection sets this header only when its own
// mcp.Client tells it the initialize result, through an unexported method
// (go-sdk issue #657), and the bridge relays raw messages instead of running
// an mcp.Client. So the bridge learns the version where the client's
// session does, from the result of the initialize request it relayed, and
// adds the header below the SDK. Requests that carry their version in
// _meta (protocol 2026-07-28, without initialize) get the header from the
// SDK itself, and a header already set is left alone.
//
// The same hook starts the SDK's standalone GET event stream, which
// therefore stays closed: messages a server sends outside any request
// before protocol 2026-07-28 (a list_changed notification between calls)
// are not relayed. Everything a server sends within a request (progress,
// log messages, sampling and elicitation requests) is.
type sessionVersion struct {
	mu       sync.Mutex
	initID   jsonrpc.ID // the local client's initialize request
	expected bool
	version  string
}

// expect records the ID of the local client's initialize request.
func (s *sessionVersion) expect(id jsonrpc.ID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.initID, s.expected = id, true
}

// learn takes the protocol version from the initialize result, if resp is it.
func (s *sessionVersion) learn(resp *jsonrpc.Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.expected || resp.ID != s.initID || resp.Error != nil {
		return
	}
	var result struct {
		ProtocolVersion string `json:"protocolVersion"`
	}
	if json.Unmarshal(resp.Result, &result) == nil && result.ProtocolVersion != "" {
		s.version = result.ProtocolVersion
	}
	s.expected = false
}

func (s *sessionVersion) current() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version
}

// client is c with the header added to its requests. c itself is not
// changed; its transport (the sign-in, proxies, certificates) still sends
// every request.
func (s *sessionVersion) client(c *http.Client) *http.Client {
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	wrapped := *c
	wrapped.Transport = &versionTransport{version: s, next: next}
	return &wrapped
}

type versionTransport struct {
	version *sessionVersion
	next    http.RoundTripper
}

func (t *versionTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	v := t.version.current()
	if v == "" || req.Header.Get(protocolVersionHeader) != "" {
		return t.next.RoundTrip(req)
	}
	// A RoundTripper must not change the request it is given (net/http).
	req = req.Clone(req.Context())
	req.Header.Set(protocolVersionHeader, v)
	return t.next.RoundTrip(req)
}
