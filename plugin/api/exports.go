package api

// ---- Exports (called by the host) ----

// Provider describes the authorization server and the client. Issuer alone is
// enough for servers with discovery; AuthorizationEndpoint and TokenEndpoint
// (and JWKSURI for ID tokens) replace discovery for servers without it.
type Provider struct {
	Issuer                string   `json:"issuer,omitempty"`
	ClientID              string   `json:"client_id"`
	Scopes                []string `json:"scopes,omitempty"`
	AuthorizationEndpoint string   `json:"authorization_endpoint,omitempty"`
	TokenEndpoint         string   `json:"token_endpoint,omitempty"`
	JWKSURI               string   `json:"jwks_uri,omitempty"`
	// DeviceAuthorizationEndpoint enables the device flow without discovery.
	DeviceAuthorizationEndpoint string `json:"device_authorization_endpoint,omitempty"`
	// RevocationEndpoint enables revocation without discovery.
	RevocationEndpoint string            `json:"revocation_endpoint,omitempty"`
	ExtraAuthParams    map[string]string `json:"extra_auth_params,omitempty"`
	// ClientSecret is handed over by the host (read from an environment
	// variable the user named); the plugin keeps it in the secret store.
	ClientSecret string `json:"client_secret,omitempty"`
	// PromptClientSecret asks the plugin to prompt (no echo) for the secret
	// of a confidential client when none is stored yet.
	PromptClientSecret bool `json:"prompt_client_secret,omitempty"`
	// ScopeSeparator joins Scopes in the authorization request: "" or " "
	// (RFC 6749 3.3), or "," for servers that want a comma list (Strava).
	ScopeSeparator string `json:"scope_separator,omitempty"`
	// TokenAuthMethod is how a confidential client sends its secret to the
	// token endpoint, "client_secret_basic" or "client_secret_post", for
	// servers that accept only one and have no discovery to say so (GitHub
	// and Strava document the secret as a form parameter). It overrides
	// discovery's token_endpoint_auth_methods_supported.
	TokenAuthMethod string `json:"token_auth_method,omitempty"`
}

// ProfileRef names a stored sign-in: by profile name, or by the provider it
// was made with (the profile name is then derived from issuer and client).
// Both empty means the default profile (the last one signed in).
type ProfileRef struct {
	Profile  string    `json:"profile,omitempty"`
	Provider *Provider `json:"provider,omitempty"`
}

// LoginBeginInput starts an authorization-code flow with PKCE.
type LoginBeginInput struct {
	ProfileRef
	// RedirectURI is where the host's loopback listener waits, e.g.
	// http://127.0.0.1:53127/callback.
	RedirectURI string `json:"redirect_uri"`
	// OpenBrowser lets the plugin ask the host to open the authorization URL.
	OpenBrowser bool `json:"open_browser"`
}

// LoginBegun tells the host which URL the user must visit. The host waits
// for one callback on RedirectURI and passes it to login_complete.
type LoginBegun struct {
	FlowID           string `json:"flow_id"`
	Profile          string `json:"profile"`
	AuthorizationURL string `json:"authorization_url"`
	BrowserOpened    bool   `json:"browser_opened"`
}

// LoginCompleteInput hands the plugin the full URL the browser was
// redirected to (query included).
type LoginCompleteInput struct {
	FlowID      string `json:"flow_id"`
	CallbackURL string `json:"callback_url"`
}

// Session describes a stored sign-in without any secret in it.
type Session struct {
	Profile         string         `json:"profile"`
	Issuer          string         `json:"issuer,omitempty"`
	ClientID        string         `json:"client_id"`
	Subject         string         `json:"subject,omitempty"`
	Scopes          []string       `json:"scopes,omitempty"`
	ExpiresAt       int64          `json:"expires_at,omitempty"` // unix seconds; 0 = unknown
	HasRefreshToken bool           `json:"has_refresh_token"`
	Claims          map[string]any `json:"claims,omitempty"` // ID token claims
	// Resource is the resource indicator (RFC 8707) of an MCP sign-in.
	Resource string `json:"resource,omitempty"`
}

// TokenInput asks for a valid access token for a profile.
type TokenInput struct {
	ProfileRef
	// ForceRefresh refreshes even when the stored token is still valid.
	ForceRefresh bool `json:"force_refresh,omitempty"`
}

// TokenResult is a usable access token.
type TokenResult struct {
	Profile     string `json:"profile"`
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresAt   int64  `json:"expires_at,omitempty"` // unix seconds; 0 = unknown
	Refreshed   bool   `json:"refreshed"`
}

// ServedToken is the access token the plugin publishes beside a profile's
// record, under the secret key ServedKey(profile), so that a host can hand
// it out without loading the plugin: a credential helper runs before every
// kubectl or git call, and the plugin costs tens of milliseconds to load
// where this costs one secret read. The plugin decides ServeUntil (unix
// seconds); before it the token may be served as is. From it on, or when
// the entry is missing or unreadable, a host calls the token export, which
// refreshes. The entry never holds a refresh token or a client secret.
type ServedToken struct {
	Profile     string `json:"profile"`
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresAt   int64  `json:"expires_at,omitempty"` // unix seconds
	ServeUntil  int64  `json:"serve_until"`          // unix seconds
}

// ServedKey is the secret key of a profile's ServedToken.
func ServedKey(profile string) string { return "served/" + profile }

// Servable says whether a host may hand the token out at now (unix
// seconds) for profile without asking the plugin.
func (s *ServedToken) Servable(profile string, now int64) bool {
	return s.Profile == profile && s.AccessToken != "" && now < s.ServeUntil
}

// LogoutResult says what logout did.
type LogoutResult struct {
	Profile string `json:"profile"`
	Removed bool   `json:"removed"`
	// Revoked lists the token kinds the server revoked (RFC 7009):
	// "refresh_token", "access_token".
	Revoked []string `json:"revoked,omitempty"`
	// RevocationNote says why something was not revoked, when it was not.
	RevocationNote string `json:"revocation_note,omitempty"`
}

// ---- Choosing a flow, device authorization (RFC 8628) ----

// LoginChooseInput asks which sign-in flow fits this host and server. The
// host reports what it can do; the plugin decides and says why.
type LoginChooseInput struct {
	ProfileRef
	// Prefer is the user's explicit wish: "" (decide), "browser" or "device".
	Prefer string `json:"prefer,omitempty"`
	// BrowserUsable: the host can open a browser on this machine.
	BrowserUsable bool `json:"browser_usable"`
	// Remote: an SSH session or no display, so a loopback redirect to this
	// machine may not be reachable from the user's browser.
	Remote bool `json:"remote,omitempty"`
}

// LoginChoice is the plugin's decision, with one line for the user.
type LoginChoice struct {
	Flow   string `json:"flow"` // "browser" or "device"
	Reason string `json:"reason"`
}

// DeviceBeginInput starts a device authorization grant.
type DeviceBeginInput struct {
	ProfileRef
	// OpenBrowser lets the plugin ask the host to open the verification URI.
	OpenBrowser bool `json:"open_browser"`
}

// DeviceBegun is what the user must see: the code and where to enter it.
type DeviceBegun struct {
	FlowID                  string `json:"flow_id"`
	Profile                 string `json:"profile"`
	UserCode                string `json:"user_code"`
	VerificationURI         string `json:"verification_uri"`
	VerificationURIComplete string `json:"verification_uri_complete,omitempty"`
	ExpiresIn               int    `json:"expires_in"` // seconds
	Interval                int    `json:"interval"`   // seconds between polls
	BrowserOpened           bool   `json:"browser_opened"`
}

// DevicePollInput polls once for a started device flow.
type DevicePollInput struct {
	FlowID string `json:"flow_id"`
}

// DevicePoll is the plugin's decision after one poll; the host obeys it.
type DevicePoll struct {
	// Status is "pending" or "slow_down" (poll again after WaitSeconds),
	// "signed_in" (Session is set), "denied" or "expired" (stop; Message
	// says what happened).
	Status      string   `json:"status"`
	WaitSeconds int      `json:"wait_seconds,omitempty"`
	ExpiresIn   int      `json:"expires_in,omitempty"` // seconds left for the user code
	Session     *Session `json:"session,omitempty"`
	Message     string   `json:"message,omitempty"`
}

// ---- Machines: client credentials, token exchange (RFC 8693) ----

// ClientCredentialsInput signs a confidential client in as itself.
type ClientCredentialsInput struct {
	ProfileRef
	// AuthMethod overrides the choice from discovery:
	// "client_secret_basic" or "client_secret_post".
	AuthMethod string `json:"auth_method,omitempty"`
}

// TokenExchangeInput trades a subject token for another token. The client
// of ProfileRef authenticates the exchange.
type TokenExchangeInput struct {
	ProfileRef
	SubjectToken string `json:"subject_token,omitempty"`
	// SubjectProfile uses that profile's current access token instead.
	SubjectProfile     string   `json:"subject_profile,omitempty"`
	SubjectTokenType   string   `json:"subject_token_type,omitempty"` // default: access_token
	Audience           []string `json:"audience,omitempty"`
	Resource           []string `json:"resource,omitempty"`
	Scopes             []string `json:"scopes,omitempty"`
	RequestedTokenType string   `json:"requested_token_type,omitempty"`
}

// TokenExchangeResult is the issued token. It is not stored.
type TokenExchangeResult struct {
	AccessToken     string `json:"access_token"`
	IssuedTokenType string `json:"issued_token_type"`
	TokenType       string `json:"token_type"`
	ExpiresAt       int64  `json:"expires_at,omitempty"`
	Scope           string `json:"scope,omitempty"`
}

// ---- Identity ----

// UserinfoResult is the OIDC userinfo endpoint's answer for a profile.
type UserinfoResult struct {
	Profile string         `json:"profile"`
	Claims  map[string]any `json:"claims"`
}
