// Package testop runs a real OpenID Provider for tests: the example OP of
// github.com/zitadel/oidc v3 (an OpenID Certified library), in-process on
// 127.0.0.1 with an ephemeral port.
//
// It is not a fake: every protocol decision (PKCE, redirect URI matching,
// grant type checks, refresh token rotation, device flow) is made by the
// zitadel/oidc library. This package only chooses the clients, makes the
// access token lifetime configurable, smooths two defects of the example
// storage in the device flow (see Storage) and counts requests per path.
package testop

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
)

// Registered clients.
const (
	// NativeClientID is a public native client (no secret, PKCE required)
	// with redirect URIs http://127.0.0.1/callback and
	// http://localhost/callback (any port, RFC 8252 section 7.3) and the grant
	// types authorization_code, refresh_token, device_code and token-exchange.
	NativeClientID = "wasmlogin-native"

	// WebClientID is a confidential web client authenticating with
	// client_secret_basic (client_secret_post is also accepted by the OP),
	// with the same redirect URIs (any port) and the grant types
	// authorization_code, refresh_token and token-exchange.
	WebClientID = "wasmlogin-web"
	// WebClientSecret is the secret of WebClientID.
	WebClientSecret = "wasmlogin-web-secret"

	// ServiceClientID and ServiceClientSecret are the example storage's
	// built-in client for the client_credentials grant.
	ServiceClientID     = "sid1"
	ServiceClientSecret = "verysecret"
)

// Redirect URIs registered for both clients (the port is free for the native
// client by RFC 8252 and matched by a glob for the web client).
var DefaultRedirectURIs = []string{
	"http://127.0.0.1/callback",
	"http://localhost/callback",
}

// DefaultAccessTokenLifetime is the lifetime the example storage uses.
const DefaultAccessTokenLifetime = 5 * time.Minute

// Options configures Start.
type Options struct {
	// AccessTokenLifetime is the lifetime of access tokens (and the token
	// endpoint's expires_in). Zero means DefaultAccessTokenLifetime.
	AccessTokenLifetime time.Duration
	// IDTokenLifetime is the lifetime of ID tokens issued to the native and
	// web clients. Zero means the example's one hour.
	IDTokenLifetime time.Duration
	// ExtraRedirectURIs are registered in addition to DefaultRedirectURIs
	// for both clients.
	ExtraRedirectURIs []string
	// TLS, when set, serves https with this configuration (tests of
	// certificate authorities and proxies). Host then names the issuer's
	// host, which its certificate must cover; the server still listens on
	// 127.0.0.1, so a name other than that needs a proxy to reach it.
	TLS  *tls.Config
	Host string
}

// OP is a running OpenID Provider.
type OP struct {
	// Issuer is http://127.0.0.1:PORT (no trailing slash), or
	// https://HOST:PORT with Options.TLS.
	Issuer string
	// Username and Password are the example user's credentials for the
	// login form (and the device flow's login form).
	Username string
	Password string
	// Storage is the OP's storage (for tests that need to look inside).
	Storage *Storage

	srv       *http.Server
	closeOnce sync.Once
	done      chan struct{}

	mu           sync.Mutex
	requests     map[string]int
	forms        []url.Values // token endpoint requests, for secrets-hygiene tests
	refreshDelay time.Duration
}

var quietLogrus sync.Once

// Start starts an OP on 127.0.0.1 with an ephemeral port. Close it when done.
func Start(opts Options) (*OP, error) {
	if opts.AccessTokenLifetime < 0 || opts.IDTokenLifetime < 0 {
		return nil, errors.New("testop: negative token lifetime")
	}
	if opts.AccessTokenLifetime == 0 {
		opts.AccessTokenLifetime = DefaultAccessTokenLifetime
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("testop: listen: %w", err)
	}
	issuer := "http://" + ln.Addr().String()
	if opts.TLS != nil {
		host := opts.Host
		if host == "" {
			host = "127.0.0.1"
		}
		ln = tls.NewListener(ln, opts.TLS)
		issuer = "https://" + net.JoinHostPort(host, fmt.Sprint(ln.Addr().(*net.TCPAddr).Port))
	}

	users := storage.NewUserStore(issuer)
	st := newStorage(users, opts)

	var logger *slog.Logger
	if os.Getenv("TESTOP_VERBOSE") == "1" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	} else {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		// The example's login pages also log user errors ("username or
		// password wrong") to logrus' global logger.
		quietLogrus.Do(func() { logrus.SetOutput(io.Discard) })
	}
	router := exampleop.SetupServer(issuer, st, logger, false)

	op := &OP{
		Issuer:   issuer,
		Username: exampleUser(users).Username,
		Password: exampleUser(users).Password,
		Storage:  st,
		done:     make(chan struct{}),
		requests: map[string]int{},
	}
	op.srv = &http.Server{
		Handler:           op.count(router),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelError),
	}
	go func() {
		defer close(op.done)
		_ = op.srv.Serve(ln)
	}()
	return op, nil
}

// StartT starts an OP and closes it when the test ends. It fails the test
// if the OP cannot start.
func StartT(t testing.TB, opts Options) *OP {
	t.Helper()
	op, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(op.Close)
	return op
}

// exampleUser returns the example storage's first user ("id1"), whose
// username is "test-user@" + the issuer's host name.
func exampleUser(users storage.UserStore) *storage.User {
	u := users.GetUserByID("id1")
	if u == nil {
		panic("testop: the example user store has no user id1")
	}
	return u
}

// Close stops the server, cutting open connections. Safe to call twice.
func (op *OP) Close() {
	op.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := op.srv.Shutdown(ctx); err != nil {
			_ = op.srv.Close()
		}
		<-op.done
	})
}

// Requests returns how many requests for path (e.g. "/oauth/token") the OP
// has received so far, whatever their method or outcome.
func (op *OP) Requests(path string) int {
	op.mu.Lock()
	defer op.mu.Unlock()
	return op.requests[path]
}

// GrantRequests returns how many requests with grant_type grantType (e.g.
// "refresh_token") the token endpoint has received so far, whatever their
// outcome: a test of "one refresh at a time" counts refreshes, not the token
// exchanges beside them.
func (op *OP) GrantRequests(grantType string) int {
	op.mu.Lock()
	defer op.mu.Unlock()
	n := 0
	for _, form := range op.forms {
		if form.Get("grant_type") == grantType {
			n++
		}
	}
	return n
}

// SlowRefreshes makes the token endpoint hold each refresh_token grant for
// d before the provider handles it, as a slow provider or network would.
// Two clients that spend the same rotating refresh token then overlap even
// when their processes start a second apart, which is what a test of their
// lock needs to see without it. The answer is still the provider's.
func (op *OP) SlowRefreshes(d time.Duration) {
	op.mu.Lock()
	defer op.mu.Unlock()
	op.refreshDelay = d
}

// URL returns Issuer + path.
func (op *OP) URL(path string) string { return op.Issuer + path }

// TokenRequestForms returns the forms POSTed to the token endpoint so far
// (codes, PKCE verifiers, refresh tokens): what a client must never leak.
func (op *OP) TokenRequestForms() []url.Values {
	op.mu.Lock()
	defer op.mu.Unlock()
	return slices.Clone(op.forms)
}

func (op *OP) count(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op.mu.Lock()
		op.requests[r.URL.Path]++
		op.mu.Unlock()
		if r.URL.Path == PathToken && r.Method == http.MethodPost {
			body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
			r.Body = io.NopCloser(bytes.NewReader(body))
			if form, err := url.ParseQuery(string(body)); err == nil {
				op.mu.Lock()
				op.forms = append(op.forms, form)
				delay := op.refreshDelay
				op.mu.Unlock()
				if form.Get("grant_type") == "refresh_token" && delay > 0 {
					select {
					case <-time.After(delay):
					case <-r.Context().Done():
					}
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// Endpoint paths of the example OP (see the discovery document).
const (
	PathDiscovery           = "/.well-known/openid-configuration"
	PathAuthorize           = "/auth"
	PathToken               = "/oauth/token"
	PathUserinfo            = "/userinfo"
	PathRevoke              = "/revoke"
	PathIntrospect          = "/oauth/introspect"
	PathDeviceAuthorization = "/device_authorization"
	PathKeys                = "/keys"
	PathEndSession          = "/end_session"
	PathLogin               = "/login/username"
	PathDeviceLogin         = "/device/login"
	PathDeviceConfirm       = "/device/confirm"
)
