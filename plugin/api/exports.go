package api

// ---- Exports (called by the host) ----

// Provider describes the authorization server and the client. Issuer alone is
// enough for servers with discovery; AuthorizationEndpoint and TokenEndpoint
// (and JWKSURI for ID tokens) replace discovery for servers without it.
type Provider struct {
	Issuer                string            `json:"issuer,omitempty"`
	ClientID              string            `json:"client_id"`
	Scopes                []string          `json:"scopes,omitempty"`
	AuthorizationEndpoint string            `json:"authorization_endpoint,omitempty"`
	TokenEndpoint         string            `json:"token_endpoint,omitempty"`
	JWKSURI               string            `json:"jwks_uri,omitempty"`
	ExtraAuthParams       map[string]string `json:"extra_auth_params,omitempty"`
	// ClientSecret is handed over by the host (read from an environment
	// variable the user named); the plugin keeps it in the secret store.
	ClientSecret string `json:"client_secret,omitempty"`
	// PromptClientSecret asks the plugin to prompt (no echo) for the secret
	// of a confidential client when none is stored yet.
	PromptClientSecret bool `json:"prompt_client_secret,omitempty"`
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

// LogoutResult says what logout did.
type LogoutResult struct {
	Profile string `json:"profile"`
	Removed bool   `json:"removed"`
}
