package testop

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// PKCE returns a fresh code verifier and its S256 code challenge.
func PKCE() (verifier, challenge string) {
	verifier = rand.Text() + rand.Text() // 52 base32 characters
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// AuthorizationURL builds an authorization code request (response_type=code,
// code_challenge_method=S256 when codeChallenge is not empty) for this OP.
func (op *OP) AuthorizationURL(clientID, redirectURI, state, codeChallenge string, scopes ...string) string {
	q := url.Values{
		"response_type": {"code"},
		"client_id":     {clientID},
		"redirect_uri":  {redirectURI},
		"scope":         {strings.Join(scopes, " ")},
		"state":         {state},
	}
	if codeChallenge != "" {
		q.Set("code_challenge", codeChallenge)
		q.Set("code_challenge_method", "S256")
	}
	return op.Issuer + PathAuthorize + "?" + q.Encode()
}

// StandInClient is a loopback listener standing in for the redirect_uri
// listener of a real client program. It exists to test this harness itself
// (autologin, autobrowser, chromebrowser); it is not a server being faked.
// It records the query of every request to /callback and answers 200.
type StandInClient struct {
	// RedirectURI is http://127.0.0.1:PORT/callback.
	RedirectURI string
	srv         *http.Server
	calls       chan url.Values
	mu          sync.Mutex
	received    []url.Values
}

// StartStandInClient starts a StandInClient, closed on t.Cleanup.
func StartStandInClient(t testing.TB) *StandInClient {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &StandInClient{
		RedirectURI: "http://" + ln.Addr().String() + "/callback",
		calls:       make(chan url.Values, 16),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/callback", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		c.mu.Lock()
		c.received = append(c.received, q)
		c.mu.Unlock()
		select {
		case c.calls <- q:
		default:
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!DOCTYPE html><title>done</title><p>Stand-in client: callback received.</p>"))
	})
	c.srv = &http.Server{Handler: mux}
	go func() { _ = c.srv.Serve(ln) }()
	t.Cleanup(c.Close)
	return c
}

// Close stops the listener (it is also closed on t.Cleanup).
func (c *StandInClient) Close() { _ = c.srv.Close() }

// Calls delivers the query of each callback request as it arrives.
func (c *StandInClient) Calls() <-chan url.Values { return c.calls }

// Received returns the queries of all callback requests so far.
func (c *StandInClient) Received() []url.Values {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]url.Values, len(c.received))
	copy(out, c.received)
	return out
}
