// Package tokensource gives Go programs a golang.org/x/oauth2 TokenSource
// and an *http.Client backed by the flow plugin: the profiles `host login`
// made, refreshed and rotated by the plugin, kept in the same secret store.
//
// A Source is safe for concurrent use: each call borrows one plugin
// instance from a small pool (a Wasm instance runs one call at a time), and
// holds the profile's lock (profiles.Lock, the one the CLI takes) while the
// plugin may refresh: one refresh at a time per profile, across goroutines,
// Sources and processes, since a rotating refresh token used twice logs the
// user out (RFC 9700 4.14.2).
package tokensource

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"time"

	"golang.org/x/oauth2"

	"github.com/wasmlogin/wasmlogin/host/engine"
	"github.com/wasmlogin/wasmlogin/host/httpguard"
	"github.com/wasmlogin/wasmlogin/host/profiles"
	"github.com/wasmlogin/wasmlogin/host/secretstore"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// Options configure a Source; the zero value uses the CLI's defaults.
type Options struct {
	// Profile names the sign-in; empty means the default (the last login).
	Profile string
	// ConfigDir holds profiles.json; empty means the CLI's directory.
	ConfigDir string
	// Store holds the tokens; nil means the OS keyring, service "wasmlogin".
	Store secretstore.Store
	// Instances bounds concurrent plugin calls; 0 means GOMAXPROCS.
	Instances int
	// Engine tunes the Wasm runtime (cache directory, timeouts).
	Engine engine.Options
}

// Source is an oauth2.TokenSource for one profile.
type Source struct {
	profile  string
	dir      string // the profile index's directory, where the profile locks live
	rt       *engine.Runtime
	services *engine.Services
	pool     chan *engine.Instance
	slots    chan struct{} // one token per instance that may still be created
}

// New loads the plugin and resolves the profile. It never signs in: run
// `host login` (or the CLI's Main) first.
func New(ctx context.Context, opts Options) (*Source, error) {
	dir := opts.ConfigDir
	if dir == "" {
		var err error
		if dir, err = profiles.Dir(os.Getenv); err != nil {
			return nil, err
		}
	}
	ix, err := profiles.Load(dir)
	if err != nil {
		return nil, err
	}
	name, entry, err := ix.Find(opts.Profile, &api.Provider{})
	if err != nil {
		return nil, err
	}
	guard := httpguard.New(httpguard.Options{Issuer: entry.Provider.Issuer})
	for _, origin := range entry.Allowed {
		guard.Allow(origin)
	}
	store := opts.Store
	if store == nil {
		store = secretstore.Keyring("wasmlogin")
	}
	rt, err := engine.New(ctx, opts.Engine)
	if err != nil {
		return nil, err
	}
	n := opts.Instances
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	// The instances see this profile's secrets only (secretstore.Scoped).
	s := &Source{profile: name, dir: dir, rt: rt, services: &engine.Services{HTTP: guard, Secrets: secretstore.Scoped(store, name)},
		pool: make(chan *engine.Instance, n), slots: make(chan struct{}, n)}
	for range n {
		s.slots <- struct{}{}
	}
	return s, nil
}

// Profile is the resolved profile name.
func (s *Source) Profile() string { return s.profile }

// Token returns a valid access token, refreshing it through the plugin
// when needed. Failures are *Error values.
//
// Every call holds the profile lock: whether the stored token is still
// fresh is the plugin's decision, made inside the call, so the host cannot
// tell a call that will refresh from one that will not. A caller that
// waited reads the record the previous holder stored and finds its fresh
// token. oauth2.ReuseTokenSource (Client) keeps most requests from getting
// here at all.
func (s *Source) Token() (*oauth2.Token, error) {
	ctx := context.Background()
	inst, err := s.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { s.pool <- inst }()
	unlock, err := profiles.Lock(ctx, s.dir, s.profile)
	if err != nil {
		return nil, wrap(err)
	}
	t, err := inst.Token(ctx, api.TokenInput{ProfileRef: api.ProfileRef{Profile: s.profile}})
	unlock()
	if err != nil {
		return nil, wrap(err)
	}
	tok := &oauth2.Token{AccessToken: t.AccessToken, TokenType: t.TokenType}
	if t.ExpiresAt != 0 {
		tok.Expiry = time.Unix(t.ExpiresAt, 0)
	}
	return tok, nil
}

// Client returns an HTTP client that sends the profile's token, asking the
// plugin again only when the token is about to expire.
func (s *Source) Client(ctx context.Context) *http.Client {
	return oauth2.NewClient(ctx, oauth2.ReuseTokenSource(nil, s))
}

// Close releases the plugin instances and the runtime.
func (s *Source) Close() error {
	ctx := context.Background()
	for {
		select {
		case inst := <-s.pool:
			inst.Close(ctx)
		default:
			return s.rt.Close(ctx)
		}
	}
}

// acquire takes an idle instance, or starts one while fewer than
// Options.Instances exist, or waits for one to come back.
func (s *Source) acquire(ctx context.Context) (*engine.Instance, error) {
	select {
	case inst := <-s.pool:
		return inst, nil
	default:
	}
	select {
	case inst := <-s.pool:
		return inst, nil
	case <-s.slots:
		inst, err := s.rt.Instance(ctx, s.services)
		if err != nil {
			s.slots <- struct{}{}
			return nil, err
		}
		return inst, nil
	}
}

// Error is a failure of the plugin's flow. It unwraps to *api.Error (the
// plugin's code and advice, e.g. "run login again") and, when the server
// gave one, to *oauth2.RetrieveError carrying the server's error code.
type Error struct {
	Flow     *api.Error
	Retrieve *oauth2.RetrieveError
}

func (e *Error) Error() string { return e.Flow.Message }
func (e *Error) Unwrap() []error {
	if e.Retrieve == nil {
		return []error{e.Flow}
	}
	return []error{e.Flow, e.Retrieve}
}

func wrap(err error) error {
	var fe *api.Error
	if !errors.As(err, &fe) {
		return fmt.Errorf("tokensource: %w", err)
	}
	e := &Error{Flow: fe}
	if fe.ServerError != "" {
		e.Retrieve = &oauth2.RetrieveError{ErrorCode: fe.ServerError, ErrorDescription: fe.ServerDescription}
	}
	return e
}
