// Package mcpclient lets a Go program talk to a remote MCP server that
// requires authorization: an http.RoundTripper (and *http.Client) that
// sends the server's access token, and on a 401 or 403 challenge asks the
// flow plugin to authorize (mcp_authorize), runs the browser step if one
// is needed, and sends the request again.
//
// Every protocol decision is the plugin's: what the challenge means, where
// the metadata is, which client and scopes, when to stop. The transport
// lends it a sandbox (host/httpguard's MCP rules), a loopback listener for
// the redirect (host/loopback), a browser, the secret store and signing
// with a private key it keeps (host/signing). It sends the token only to
// the MCP server's origin.
//
// One sign-in runs at a time per server in this process (callers that meet
// a 401 meanwhile wait and use its token), and each plugin call that may
// rewrite the stored sign-in holds the profile's lock (host/profiles.Lock),
// so processes sharing the store do not race on a rotating refresh token.
package mcpclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wasmlogin/wasmlogin/host/browser"
	"github.com/wasmlogin/wasmlogin/host/engine"
	"github.com/wasmlogin/wasmlogin/host/httpguard"
	"github.com/wasmlogin/wasmlogin/host/loopback"
	"github.com/wasmlogin/wasmlogin/host/profiles"
	"github.com/wasmlogin/wasmlogin/host/secretstore"
	"github.com/wasmlogin/wasmlogin/host/signing"
	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/mcpauth"
)

// Options configure a Transport. ServerURL is required; the rest have the
// CLI's defaults.
type Options struct {
	// ServerURL is the MCP server's URL (https, or http to loopback).
	ServerURL string
	// Client is the OAuth client, if the user has one: a pre-registered
	// client ID and secret, a client ID metadata document URL, the token
	// endpoint authentication. Empty lets the plugin register one.
	Client api.MCPClient
	// PrivateKeyPEM is the client's private key for private_key_jwt. It
	// is stored once in Store, where the plugin cannot read it, and used
	// only to sign; Client.SigningAlg defaults to what the key signs with.
	PrivateKeyPEM []byte
	// Grant is api.GrantAuthorizationCode (the default, a browser),
	// api.GrantClientCredentials or api.GrantCrossAppAccess.
	Grant string
	// IdentityAssertion is what cross-app access needs from the IdP; its
	// token endpoint becomes reachable for the plugin.
	IdentityAssertion *api.MCPIdentityAssertion
	// Scopes replaces the plugin's choice of scopes.
	Scopes []string
	// OpenBrowser shows the authorization URL; nil means $BROWSER or the
	// platform's opener (host/browser). It must not wait for the user.
	OpenBrowser func(url string) error
	// NoOpen starts no browser: the URL is only shown (Notify), for the
	// user to open.
	NoOpen bool
	// Notify receives the plugin's messages; nil prints them on stderr.
	Notify func(level, message string)
	// LoginTimeout bounds the wait for the browser; default 5 minutes.
	LoginTimeout time.Duration
	// Pasted, when set, carries redirect URLs the user copied from a
	// browser that cannot reach this machine's listener; each is handled
	// as a request to the listener would be, and whichever the plugin
	// takes first ends the login.
	Pasted <-chan string
	// Redirect is the loopback listener's host, port and path.
	Redirect loopback.Options
	// ConfigDir holds profiles.json and the profile locks; empty means the
	// CLI's directory.
	ConfigDir string
	// Network, when set, is recorded with the sign-in in profiles.json, so
	// that the CLI's later commands (wasmlogin mcp token) reach the server
	// the way this sign-in did. It configures nothing here: Guard and Base
	// carry the network settings.
	Network profiles.Network
	// Store keeps the tokens; nil means the OS keyring, service "wasmlogin".
	Store secretstore.Store
	// Engine tunes the Wasm runtime; Guard the plugin's HTTP (timeouts,
	// certificate authorities). Guard.Issuer is ignored.
	Engine engine.Options
	Guard  httpguard.Options
	// Base carries the MCP requests themselves; nil means
	// http.DefaultTransport.
	Base http.RoundTripper
}

// Transport is an http.RoundTripper for one MCP server. It is safe for
// concurrent use.
type Transport struct {
	opts    Options
	server  string // canonical
	origin  string
	profile string
	dir     string
	store   secretstore.Store
	guard   *httpguard.Guard
	rt      *engine.Runtime
	inst    *engine.Instance
	base    http.RoundTripper

	signIn *sync.Mutex // this server's, shared in the process
	// inARow counts sign-ins since the server last accepted a request;
	// the plugin stops at flow.MaxMCPAttempts.
	inARow atomic.Int32

	mu     sync.Mutex // guards the cached token
	token  string
	expiry time.Time
}

// signIns holds one mutex per profile, so two Transports for one server in
// a process run one sign-in between them.
var signIns sync.Map

// New loads the plugin and prepares the sandbox for the server. It signs
// nobody in: the first request that meets a challenge does, or Login.
func New(ctx context.Context, opts Options) (*Transport, error) {
	server, err := mcpauth.Canonical(opts.ServerURL)
	if err != nil {
		return nil, &api.Error{Code: api.CodeBadInput, Message: err.Error()}
	}
	profile := mcpauth.ProfilePrefix + server
	origin, _ := mcpauth.Origin(server)
	t := &Transport{opts: opts, server: server, origin: origin, profile: profile, base: opts.Base, store: opts.Store}
	if t.base == nil {
		t.base = http.DefaultTransport
	}
	if t.dir = opts.ConfigDir; t.dir == "" {
		if t.dir, err = profiles.Dir(os.Getenv); err != nil {
			return nil, err
		}
	}
	if t.store == nil {
		t.store = secretstore.Keyring("wasmlogin")
	}
	if len(opts.PrivateKeyPEM) > 0 {
		alg, err := signing.StoreKey(t.store, profile, opts.PrivateKeyPEM)
		if err != nil {
			return nil, &api.Error{Code: api.CodeBadInput, Message: "the private key: " + err.Error()}
		}
		if t.opts.Client.SigningAlg == "" {
			t.opts.Client.SigningAlg = alg
		}
	}
	if t.guard, err = t.newGuard(); err != nil {
		return nil, err
	}
	mu, _ := signIns.LoadOrStore(profile, &sync.Mutex{})
	t.signIn = mu.(*sync.Mutex)
	if t.rt, err = engine.New(ctx, opts.Engine); err != nil {
		return nil, err
	}
	if t.inst, err = t.rt.Instance(ctx, t.services()); err != nil {
		t.rt.Close(ctx)
		return nil, err
	}
	return t, nil
}

// newGuard is the sandbox: the server's origin, what an earlier sign-in
// learned (profiles.json), the IdP's token endpoint for cross-app access;
// the rest is taught by checked documents (httpguard's MCP rules).
func (t *Transport) newGuard() (*httpguard.Guard, error) {
	gopts := t.opts.Guard
	gopts.Issuer = ""
	g := httpguard.New(gopts)
	if err := g.SetMCPServer(t.server); err != nil {
		return nil, &api.Error{Code: api.CodeBadInput, Message: err.Error()}
	}
	if ix, err := profiles.Load(t.dir); err == nil {
		for _, o := range ix.Profiles[t.profile].Allowed {
			g.Allow(o)
		}
	}
	if ia := t.opts.IdentityAssertion; ia != nil && ia.IdPTokenEndpoint != "" {
		if err := mcpauth.CheckURL("the identity provider's token endpoint", ia.IdPTokenEndpoint); err != nil {
			return nil, &api.Error{Code: api.CodeBadInput, Message: err.Error()}
		}
		g.Allow(ia.IdPTokenEndpoint)
	}
	return g, nil
}

func (t *Transport) services() *engine.Services {
	open := t.opts.OpenBrowser
	if open == nil {
		open = browser.Open
	}
	return &engine.Services{
		HTTP:        t.guard,
		Secrets:     secretstore.Scoped(t.store, t.profile),
		OpenBrowser: open,
		Notify:      t.notify,
		Sign:        signing.Signer(t.store, t.profile),
	}
}

// notify tells the user something, through Options.Notify or on stderr.
func (t *Transport) notify(level, msg string) {
	if t.opts.Notify != nil {
		t.opts.Notify(level, msg)
		return
	}
	if level == "warn" {
		msg = "warning: " + msg
	}
	fmt.Fprintln(os.Stderr, msg)
}

// Client is an *http.Client that uses this Transport.
func (t *Transport) Client() *http.Client { return &http.Client{Transport: t} }

// Profile is the profile the server's sign-in is stored under.
func (t *Transport) Profile() string { return t.profile }

// Close releases the plugin.
func (t *Transport) Close() error {
	ctx := context.Background()
	t.inst.Close(ctx)
	return t.rt.Close(ctx)
}

// Login signs in ahead of any request: the server is asked once without a
// token, so that its own challenge (with its metadata URL and scope)
// guides the sign-in, and the sign-in runs whatever it answered.
func (t *Transport) Login(ctx context.Context) error {
	t.signIn.Lock()
	defer t.signIn.Unlock()
	ch, err := t.probe(ctx)
	if err != nil {
		return err
	}
	_, err = t.authorize(ctx, ch, 0)
	return err
}

// errNoSignIn marks a token lookup that found no sign-in.
var errNoSignIn = errors.New("not signed in")
