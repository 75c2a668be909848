// Package dexop runs a real OpenID Provider for tests: Dex
// (github.com/dexidp/dex, v2.45.1), in-process on 127.0.0.1 with an
// ephemeral port, through Dex's own server package.
//
// It is the second, independently written authorization server of the test
// suite (the first is internal/testop, zitadel/oidc's example OP), so that
// client code is not tuned to one server's behaviour. Nothing is faked: every
// protocol decision (redirect URI matching, PKCE, refresh token rotation, the
// device flow's pacing) is Dex's. This package only configures Dex: memory
// storage, the "mockCallback" connector (the user is signed in without any
// form), no approval screen, two clients, and a request counter.
//
// Dex differs from testop's OP in ways client code must cope with; see the
// package's tests, which pin them down (e.g. a reused refresh token is
// answered with invalid_request, not invalid_grant).
package dexop

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dexidp/dex/server"
	"github.com/dexidp/dex/server/signer"
	"github.com/dexidp/dex/storage"
	"github.com/dexidp/dex/storage/memory"
)

// Registered clients and the connector.
const (
	// NativeClientID is a public client (no secret) with no registered
	// redirect URIs, which Dex turns into: any http://localhost[:port]/path
	// or http://<loopback IP>[:port]/path redirect URI, plus the device
	// flow. PKCE is accepted but, as everywhere in Dex, not required.
	NativeClientID = "wasmlogin-native"

	// WebClientID is a confidential client authenticating with
	// client_secret_basic or client_secret_post. Dex matches a confidential
	// client's redirect URIs exactly (port included): register them with
	// Options.WebRedirectURIs or OP.AllowWebRedirectURI.
	WebClientID = "wasmlogin-web"
	// WebClientSecret is the secret of WebClientID.
	WebClientSecret = "wasmlogin-web-secret"

	// ConnectorID is the ID of the mockCallback connector, the only one, so
	// /auth redirects straight to /auth/mock.
	ConnectorID = "mock"
)

// The identity the mockCallback connector always signs in (Dex's
// connector/mock.NewCallbackConnector).
const (
	// MockUserID is the connector's user ID. The sub claim is not this but
	// MockSubject, Dex's encoding of (user ID, connector ID).
	MockUserID = "0-385-28089-0"
	// MockSubject is the sub claim of the mock user's tokens: base64url
	// (no padding) of a protobuf holding MockUserID and ConnectorID.
	MockSubject = "Cg0wLTM4NS0yODA4OS0wEgRtb2Nr"
	// MockName is the name claim (scope profile). There is no
	// preferred_username: the connector leaves it empty.
	MockName = "Kilgore Trout"
	// MockEmail is the email claim (scope email), with email_verified true.
	MockEmail = "kilgore@kilgore.trout"
	// MockGroup is the single entry of the groups claim (scope groups).
	MockGroup = "authors"
)

// Dex's defaults for the lifetimes Options can change.
const (
	DefaultAccessTokenLifetime   = 24 * time.Hour
	DefaultDeviceRequestLifetime = 5 * time.Minute
)

// Endpoint paths (the discovery document names all but the device and
// connector pages). Dex has no revocation or end-session endpoint.
const (
	PathDiscovery      = "/.well-known/openid-configuration"
	PathAuthorize      = "/auth"
	PathConnectorLogin = "/auth/" + ConnectorID
	PathCallback       = "/callback" // the connector's callback
	PathToken          = "/token"
	PathUserinfo       = "/userinfo"
	PathIntrospect     = "/token/introspect"
	PathKeys           = "/keys"
	PathDeviceCode     = "/device/code"             // device_authorization_endpoint
	PathDevice         = "/device"                  // verification_uri
	PathDeviceVerify   = "/device/auth/verify_code" // the /device form's target
	PathDeviceCallback = "/device/callback"         // end of the device flow's login
)

// GrantTypeDeviceCode is the device flow's grant_type.
const GrantTypeDeviceCode = "urn:ietf:params:oauth:grant-type:device_code"

// Options configures Start. The zero value gives Dex's defaults.
type Options struct {
	// AccessTokenLifetime is Dex's expiry.idTokens: the lifetime of both ID
	// and access tokens (expires_in). Zero means 24 hours.
	AccessTokenLifetime time.Duration
	// DeviceRequestLifetime is Dex's expiry.deviceRequests: the lifetime of
	// device codes and user codes (the device response's expires_in). Zero
	// means 5 minutes.
	DeviceRequestLifetime time.Duration

	// Refresh token policy (Dex's expiry.refreshTokens); all zero means
	// rotation on every use, no reuse window and no expiry.
	DisableRefreshRotation bool
	// RefreshReuseInterval lets a rotated refresh token be used again within
	// this time (then it yields the same new token).
	RefreshReuseInterval time.Duration
	// RefreshValidIfNotUsedFor expires refresh tokens unused for this long.
	RefreshValidIfNotUsedFor time.Duration
	// RefreshAbsoluteLifetime expires refresh tokens this long after the
	// login, whatever their use.
	RefreshAbsoluteLifetime time.Duration

	// WebRedirectURIs are the exact redirect URIs of WebClientID (besides
	// /device/callback, always registered so it can use the device flow).
	WebRedirectURIs []string
}

// OP is a running Dex server.
type OP struct {
	// Issuer is http://127.0.0.1:PORT (no path, no trailing slash).
	Issuer string
	// Storage is Dex's memory storage, for tests that need to look inside.
	Storage storage.Storage

	srv       *http.Server
	cancel    context.CancelFunc
	closeOnce sync.Once
	done      chan struct{}

	mu       sync.Mutex
	requests map[string]int
}

// Start starts Dex on 127.0.0.1 with an ephemeral port. Close it when done.
func Start(opts Options) (*OP, error) {
	for _, d := range []time.Duration{opts.AccessTokenLifetime, opts.DeviceRequestLifetime,
		opts.RefreshReuseInterval, opts.RefreshValidIfNotUsedFor, opts.RefreshAbsoluteLifetime} {
		if d < 0 {
			return nil, errors.New("dexop: negative duration in Options")
		}
	}
	idTokens := orDefault(opts.AccessTokenLifetime, DefaultAccessTokenLifetime)

	logger := slog.New(slog.DiscardHandler)
	if os.Getenv("DEXOP_VERBOSE") == "1" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("dexop: listen: %w", err)
	}
	issuer := "http://" + ln.Addr().String()
	fail := func(err error) (*OP, error) {
		ln.Close()
		return nil, fmt.Errorf("dexop: %w", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	st := memory.New(logger)
	if err := st.CreateConnector(ctx, storage.Connector{
		ID: ConnectorID, Type: "mockCallback", Name: "Mock", ResourceVersion: "1",
	}); err != nil {
		cancel()
		return fail(err)
	}
	for _, c := range []storage.Client{
		{ID: NativeClientID, Public: true, Name: "wasmlogin native (dexop)"},
		{
			ID: WebClientID, Secret: WebClientSecret, Name: "wasmlogin web (dexop)",
			RedirectURIs: append(slices.Clone(opts.WebRedirectURIs), PathDeviceCallback),
		},
	} {
		if err := st.CreateClient(ctx, c); err != nil {
			cancel()
			return fail(err)
		}
	}

	sig, err := (&signer.LocalConfig{KeysRotationPeriod: "6h"}).Open(ctx, st, idTokens, time.Now, logger)
	if err != nil {
		cancel()
		return fail(err)
	}
	dur := func(d time.Duration) string {
		if d == 0 {
			return ""
		}
		return d.String()
	}
	policy, err := server.NewRefreshTokenPolicy(logger, opts.DisableRefreshRotation,
		dur(opts.RefreshValidIfNotUsedFor), dur(opts.RefreshAbsoluteLifetime), dur(opts.RefreshReuseInterval))
	if err != nil {
		cancel()
		return fail(err)
	}
	dex, err := server.NewServer(ctx, server.Config{
		Issuer:                 issuer,
		Storage:                st,
		SkipApprovalScreen:     true,
		IDTokensValidFor:       idTokens,
		DeviceRequestsValidFor: orDefault(opts.DeviceRequestLifetime, DefaultDeviceRequestLifetime),
		RefreshTokenPolicy:     policy,
		Logger:                 logger,
		Signer:                 sig,
		Now:                    func() time.Time { return time.Now().UTC() }, // as cmd/dex does
	})
	if err != nil {
		cancel()
		return fail(err)
	}

	op := &OP{
		Issuer:   issuer,
		Storage:  st,
		cancel:   cancel,
		done:     make(chan struct{}),
		requests: map[string]int{},
	}
	op.srv = &http.Server{
		Handler:           op.count(dex),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelError),
	}
	go func() {
		defer close(op.done)
		_ = op.srv.Serve(ln)
	}()
	return op, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// StartT starts Dex and closes it when the test ends. It fails the test if
// Dex cannot start.
func StartT(t testing.TB, opts Options) *OP {
	t.Helper()
	op, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(op.Close)
	return op
}

// Close stops the server, cutting open connections, and Dex's background
// goroutines. Safe to call twice.
func (op *OP) Close() {
	op.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := op.srv.Shutdown(ctx); err != nil {
			_ = op.srv.Close()
		}
		<-op.done
		op.cancel()
	})
}

// Requests returns how many requests for path (e.g. "/token") Dex has
// received so far, whatever their method or outcome.
func (op *OP) Requests(path string) int {
	op.mu.Lock()
	defer op.mu.Unlock()
	return op.requests[path]
}

// URL returns Issuer + path.
func (op *OP) URL(path string) string { return op.Issuer + path }

func (op *OP) count(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op.mu.Lock()
		op.requests[r.URL.Path]++
		op.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

// AllowWebRedirectURI registers one more exact redirect URI for WebClientID
// (e.g. a loopback listener's http://127.0.0.1:PORT/callback, once its port
// is known). Dex reads clients from storage on every request, so it applies
// at once.
func (op *OP) AllowWebRedirectURI(uri string) error {
	return op.Storage.UpdateClient(context.Background(), WebClientID, func(c storage.Client) (storage.Client, error) {
		if !slices.Contains(c.RedirectURIs, uri) {
			c.RedirectURIs = append(c.RedirectURIs, uri)
		}
		return c, nil
	})
}

// AuthorizationURL builds an authorization code request (response_type=code,
// code_challenge_method=S256 when codeChallenge is not empty) for this OP.
// Dex requires the scope openid.
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
