package testop

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Storage wraps the example OP's in-memory storage. It embeds
// *storage.Storage (so every optional storage interface the OP looks for is
// still there) and overrides:
//
//   - access token creation, so that the expiration reported to the token
//     endpoint (expires_in, and exp of JWT access tokens) is
//     Options.AccessTokenLifetime instead of the hard-coded 5 minutes, and
//     userinfo/introspection reject the token once that lifetime is over;
//   - GetClientByClientID, to give the native client more grant types and the
//     web client any-port loopback redirect URIs (via redirect URI globs),
//     and both the ID token lifetime of Options.IDTokenLifetime;
//   - CompleteDeviceAuthorization, which the example's device login calls
//     with the username: it is mapped to the user ID, so that the subject is
//     the same as in the code flow and scope openid works;
//   - for device flow tokens, the example stores no client ID, so refresh
//     tokens it issues could not be used (invalid_grant) nor revoked; the
//     request is handed to the example storage as an equivalent AuthRequest.
type Storage struct {
	*storage.Storage

	users      storage.UserStore
	lifetime   time.Duration
	idLifetime time.Duration // 0: the example client's own

	mu      sync.Mutex
	expires map[string]time.Time // access token ID -> expiration
}

var _ exampleop.Storage = (*Storage)(nil)

func newStorage(users storage.UserStore, opts Options) *Storage {
	redirects := append(slices.Clone(DefaultRedirectURIs), opts.ExtraRedirectURIs...)
	clients := map[string]*storage.Client{
		NativeClientID: storage.NativeClient(NativeClientID, redirects...),
		WebClientID:    storage.WebClient(WebClientID, WebClientSecret, redirects...),
	}
	return &Storage{
		Storage:    storage.NewStorageWithClients(users, clients),
		users:      users,
		lifetime:   opts.AccessTokenLifetime,
		idLifetime: opts.IDTokenLifetime,
		expires:    map[string]time.Time{},
	}
}

// AccessTokenLifetime returns the configured access token lifetime.
func (s *Storage) AccessTokenLifetime() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lifetime
}

// SetAccessTokenLifetime changes the lifetime of tokens issued from now on,
// so a test can let one token near its expiry and then make the next one
// last, instead of racing a margin of a few seconds.
func (s *Storage) SetAccessTokenLifetime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lifetime = d
}

// SetIDTokenLifetime changes the lifetime of ID tokens issued from now on
// (zero: the example's one hour), so a test can sign in with an ID token
// that is already due for renewal and let the renewed one last.
func (s *Storage) SetIDTokenLifetime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.idLifetime = d
}

// idTokenLifetime is the lifetime a client's ID tokens get now.
func (s *Storage) idTokenLifetime(c op.Client) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.idLifetime == 0 {
		return c.IDTokenLifetime()
	}
	return s.idLifetime
}

// idLifetime gives a client the storage's ID token lifetime.
type idLifetime struct {
	op.Client
	storage *Storage
}

func (c idLifetime) IDTokenLifetime() time.Duration { return c.storage.idTokenLifetime(c.Client) }

// nativeClient adds grant types to the example's native client.
type nativeClient struct {
	op.Client
}

func (c nativeClient) GrantTypes() []oidc.GrantType {
	gts := slices.Clone(c.Client.GrantTypes())
	for _, gt := range []oidc.GrantType{oidc.GrantTypeRefreshToken, oidc.GrantTypeDeviceCode, oidc.GrantTypeTokenExchange} {
		if !slices.Contains(gts, gt) {
			gts = append(gts, gt)
		}
	}
	return gts
}

// webClient lets the example's web client accept any loopback port on the
// registered redirect URIs (zitadel/oidc matches exact strings or globs for
// web clients; the any-port rule of RFC 8252 applies only to native ones).
type webClient struct {
	op.Client
	globs []string
}

func (c webClient) RedirectURIGlobs() []string           { return c.globs }
func (c webClient) PostLogoutRedirectURIGlobs() []string { return nil }

var (
	_ op.Client           = nativeClient{}
	_ op.HasRedirectGlobs = webClient{}
)

// GetClientByClientID implements op.Storage.
func (s *Storage) GetClientByClientID(ctx context.Context, clientID string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, clientID)
	if err != nil {
		return nil, err
	}
	switch clientID {
	case NativeClientID:
		return nativeClient{idLifetime{c, s}}, nil
	case WebClientID:
		return webClient{Client: idLifetime{c, s}, globs: []string{"http://127.0.0.1:*/callback", "http://localhost:*/callback"}}, nil
	}
	return c, nil
}

// deviceAsAuthRequest converts the device flow's request into the example's
// own AuthRequest type, which its storage knows how to read the client ID
// from.
func deviceAsAuthRequest(request op.TokenRequest) op.TokenRequest {
	if d, ok := request.(*op.DeviceAuthorizationState); ok {
		return &storage.AuthRequest{
			ApplicationID: d.ClientID,
			UserID:        d.Subject,
			Scopes:        d.Scopes,
			ResponseType:  oidc.ResponseTypeCode,
		}
	}
	return request
}

// CreateAccessToken implements op.Storage.
func (s *Storage) CreateAccessToken(ctx context.Context, request op.TokenRequest) (string, time.Time, error) {
	id, _, err := s.Storage.CreateAccessToken(ctx, deviceAsAuthRequest(request))
	if err != nil {
		return "", time.Time{}, err
	}
	return id, s.track(id), nil
}

// CreateAccessAndRefreshTokens implements op.Storage.
func (s *Storage) CreateAccessAndRefreshTokens(ctx context.Context, request op.TokenRequest, currentRefreshToken string) (string, string, time.Time, error) {
	id, refresh, _, err := s.Storage.CreateAccessAndRefreshTokens(ctx, deviceAsAuthRequest(request), currentRefreshToken)
	if err != nil {
		return "", "", time.Time{}, err
	}
	return id, refresh, s.track(id), nil
}

func (s *Storage) track(tokenID string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp := time.Now().Add(s.lifetime)
	s.expires[tokenID] = exp
	return exp
}

var errTokenExpired = errors.New("token is expired")

func (s *Storage) expired(tokenID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.expires[tokenID]
	return ok && !time.Now().Before(exp)
}

// SetUserinfoFromToken implements op.Storage (userinfo endpoint).
func (s *Storage) SetUserinfoFromToken(ctx context.Context, userinfo *oidc.UserInfo, tokenID, subject, origin string) error {
	if s.expired(tokenID) {
		return errTokenExpired
	}
	return s.Storage.SetUserinfoFromToken(ctx, userinfo, tokenID, subject, origin)
}

// SetIntrospectionFromToken implements op.Storage (introspection endpoint).
func (s *Storage) SetIntrospectionFromToken(ctx context.Context, introspection *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	if s.expired(tokenID) {
		return errTokenExpired
	}
	return s.Storage.SetIntrospectionFromToken(ctx, introspection, tokenID, subject, clientID)
}

// CompleteDeviceAuthorization implements op.DeviceAuthorizationStorage. The
// example's device login passes the username as subject; map it to the ID.
func (s *Storage) CompleteDeviceAuthorization(ctx context.Context, userCode, subject string) error {
	if u := s.users.GetUserByUsername(subject); u != nil {
		subject = u.ID
	}
	return s.Storage.CompleteDeviceAuthorization(ctx, userCode, subject)
}
