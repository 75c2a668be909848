package api

// ---- The MCP authorization profile (export mcp_authorize) ----

// Grants of MCPAuthorizeInput.Grant.
const (
	GrantAuthorizationCode = "authorization_code"
	GrantClientCredentials = "client_credentials"
	// GrantCrossAppAccess exchanges an ID token of the user's identity
	// provider for an identity assertion grant (RFC 8693) and redeems it
	// at the MCP server's authorization server (RFC 7523 2.1).
	GrantCrossAppAccess = "cross_app_access"
)

// MCPChallenge is a protected MCP server's refusal as the host received it.
type MCPChallenge struct {
	Status int `json:"status"`
	// WWWAuthenticate holds every WWW-Authenticate value, unparsed.
	WWWAuthenticate []string `json:"www_authenticate"`
}

// MCPClient is the OAuth client the user or app supplied; every field is
// optional (see wit/flow.wit, mcp-client).
type MCPClient struct {
	ClientID          string `json:"client_id,omitempty"`
	ClientSecret      string `json:"client_secret,omitempty"`
	ClientMetadataURL string `json:"client_metadata_url,omitempty"`
	TokenAuthMethod   string `json:"token_auth_method,omitempty"`
	SigningAlg        string `json:"signing_alg,omitempty"`
	ClientName        string `json:"client_name,omitempty"`
}

// MCPIdentityAssertion is what cross-app access needs from the user's
// enterprise identity provider.
type MCPIdentityAssertion struct {
	IdPTokenEndpoint string `json:"idp_token_endpoint"`
	IDToken          string `json:"id_token"`
	IdPClientID      string `json:"idp_client_id,omitempty"`
	IdPClientSecret  string `json:"idp_client_secret,omitempty"`
}

// MCPAuthorizeInput asks the plugin to authorize for an MCP server.
type MCPAuthorizeInput struct {
	ServerURL string        `json:"server_url"`
	Challenge *MCPChallenge `json:"challenge,omitempty"`
	// Attempt counts the authorizations the host already ran for this
	// server without the server accepting a request since: 0 the first
	// time.
	Attempt           int                   `json:"attempt,omitempty"`
	Client            *MCPClient            `json:"client,omitempty"`
	Grant             string                `json:"grant,omitempty"`
	IdentityAssertion *MCPIdentityAssertion `json:"identity_assertion,omitempty"`
	Scopes            []string              `json:"scopes,omitempty"`
	RedirectURI       string                `json:"redirect_uri,omitempty"`
	OpenBrowser       bool                  `json:"open_browser"`
}

// MCPAuthorized is the answer: exactly one of Token and Login is set.
type MCPAuthorized struct {
	Profile string       `json:"profile"`
	Issuer  string       `json:"issuer"`
	Token   *TokenResult `json:"token,omitempty"`
	Login   *LoginBegun  `json:"login,omitempty"`
}

// ---- Signing with a key the host holds (interface crypto, sign) ----

// SignRequest asks the host to sign Message (base64url, no padding) with
// the private key it holds for Profile.
type SignRequest struct {
	Alg     string `json:"alg"`
	Profile string `json:"profile"`
	Message string `json:"message"`
}

// SignResult is the signature, base64url without padding; ECDSA in the
// JWS form r || s (RFC 7518 3.4).
type SignResult struct {
	Signature string `json:"signature"`
}
