package flow

import (
	"slices"
	"strconv"
	"strings"

	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/mcpauth"
	"github.com/wasmlogin/wasmlogin/plugin/pkce"
)

// MaxMCPAttempts bounds the authorizations in a row a host may run for an
// MCP server without the server accepting a request in between. A server
// that answers every new token with another 403 insufficient_scope (MCP
// authorization, "Scope Challenge Handling": clients should bound retries)
// would otherwise send the user through sign-in after sign-in.
const MaxMCPAttempts = 3

// MCPAuthorize authorizes for an MCP server (wit/flow.wit, mcp-authorize):
// it reads the challenge, discovers the authorization server, settles the
// client and the scopes, and runs the grant. A browser sign-in is returned
// as a login for the host to finish with LoginComplete.
func (e *Engine) MCPAuthorize(in api.MCPAuthorizeInput) (*api.MCPAuthorized, *api.Error) {
	server, err := mcpauth.Canonical(in.ServerURL)
	if err != nil {
		return nil, failf(api.CodeBadInput, "%s", err.Error())
	}
	profile := mcpauth.ProfilePrefix + server
	grant := in.Grant
	if grant == "" {
		grant = api.GrantAuthorizationCode
	}
	client := in.Client
	if client == nil {
		client = &api.MCPClient{}
	}
	if err := checkMCPInput(in, grant, client); err != nil {
		return nil, err
	}
	var ch mcpauth.Bearer
	if in.Challenge != nil {
		ch, _ = mcpauth.ParseBearer(in.Challenge.WWWAuthenticate)
	}
	if in.Attempt >= MaxMCPAttempts {
		return nil, failf(api.CodeServer, "the MCP server at %s still refuses after %d authorizations in a row (%s); stopped, as at most %d are made before the server accepts a request",
			server, in.Attempt, challengeText(in.Challenge, ch), MaxMCPAttempts)
	}
	// A step-up is RFC 6750's insufficient_scope; a 403 whose challenge
	// names a scope and no error is read the same way, as some servers
	// send it (the Go SDK's middleware among them). Any other 403 is a
	// refusal no sign-in changes.
	stepUp := ch.Error == "insufficient_scope" || in.Challenge != nil && in.Challenge.Status == 403 && ch.Error == "" && len(ch.Scope) > 0
	if in.Challenge != nil && in.Challenge.Status == 403 && !stepUp {
		return nil, failf(api.CodeServer, "the MCP server at %s forbids this request (HTTP 403%s); signing in again would not change that",
			server, errorSuffix(ch.Error))
	}

	prev, lerr := e.loadRecord(profile)
	switch {
	case lerr != nil && lerr.Code == api.CodeStorage:
		return nil, lerr
	case lerr != nil:
		prev = nil
	}
	s, derr := e.mcpDiscover(server, ch)
	if derr != nil {
		return nil, derr
	}
	if grant == api.GrantAuthorizationCode && !s.pkce {
		return nil, failf(api.CodeInvalidResp, "the authorization server %s does not list S256 in code_challenge_methods_supported; an MCP client must not sign in without PKCE (MCP authorization, \"Authorization Code Protection\")", s.ep.Issuer)
	}
	if prev != nil && (prev.MCP == nil || prev.Endpoints.Issuer != s.ep.Issuer) {
		if err := e.forgetForNewIssuer(profile, prev, s.ep.Issuer); err != nil {
			return nil, err
		}
		prev = nil
	}
	out := &api.MCPAuthorized{Profile: profile, Issuer: s.ep.Issuer}
	if t := e.mcpRefreshInstead(profile, prev, in, grant, ch, stepUp); t != nil {
		out.Token = t
		return out, nil
	}
	scopes := mcpauth.Scopes(mcpauth.ScopeChoice{Requested: in.Scopes, Challenge: ch.Scope, ResourceSupported: s.resourceScopes,
		ServerSupported: s.ep.ScopesSupported, Previous: previousScopes(prev), StepUp: stepUp,
		WantsRefresh: grant == api.GrantAuthorizationCode})
	c, cerr := e.mcpChooseClient(profile, client, s, prev, grant, in.RedirectURI, scopes)
	if cerr != nil {
		return nil, cerr
	}
	state := &mcpState{Server: server, Client: c.source, AuthMethod: c.method, SigningAlg: c.signingAlg, Grant: grant}
	r := &record{Provider: api.Provider{Issuer: s.ep.Issuer, ClientID: c.id, Scopes: scopes}, Endpoints: s.ep,
		ClientSecret: c.secret, Resource: s.resource, MCP: state}
	switch grant {
	case api.GrantAuthorizationCode:
		begun, err := e.mcpBrowser(profile, r, in)
		if err != nil {
			return nil, err
		}
		out.Login = begun
		return out, nil
	case api.GrantClientCredentials:
		r.Grant = grantClientCredentials
		if err := e.runClientCredentials(profile, r); err != nil {
			return nil, err
		}
	case api.GrantCrossAppAccess:
		if err := e.crossAppAccess(profile, r, in.IdentityAssertion); err != nil {
			return nil, err
		}
	}
	if err := e.saveRecord(profile, r); err != nil {
		return nil, err
	}
	out.Token = tokenResult(profile, r, false)
	return out, nil
}

// checkMCPInput refuses an input that cannot work before anything is sent.
func checkMCPInput(in api.MCPAuthorizeInput, grant string, c *api.MCPClient) *api.Error {
	switch grant {
	case api.GrantAuthorizationCode:
		if err := checkRedirectURI(in.RedirectURI); err != nil {
			return err
		}
	case api.GrantClientCredentials:
	case api.GrantCrossAppAccess:
		ia := in.IdentityAssertion
		if ia == nil || ia.IDToken == "" || ia.IdPTokenEndpoint == "" {
			return failf(api.CodeBadInput, "cross-app access needs the identity provider's token endpoint and an ID token from it")
		}
		if err := mcpauth.CheckURL("the identity provider's token endpoint", ia.IdPTokenEndpoint); err != nil {
			return failf(api.CodeBadInput, "%s", err.Error())
		}
	default:
		return failf(api.CodeBadInput, "grant %q is not one of authorization_code, client_credentials, cross_app_access", clean(grant))
	}
	if err := checkScopes(in.Scopes); err != nil {
		return err
	}
	return checkMCPClient(c)
}

// forgetForNewIssuer drops a stored sign-in made with another
// authorization server than the one the MCP server now names: its tokens
// were issued there and its client registered there, and neither may
// reach the new issuer (MCP authorization, "Security Considerations": a
// client keys its credentials by the authorization server).
func (e *Engine) forgetForNewIssuer(profile string, prev *record, issuer string) *api.Error {
	if herr := e.host.SecretDelete(api.ServedKey(profile)); herr != nil {
		return storageFailure(herr)
	}
	if herr := e.host.SecretDelete(profileKey(profile)); herr != nil {
		return storageFailure(herr)
	}
	e.host.Notify("warn", "The MCP server now names the authorization server "+issuer+", not "+prev.Endpoints.Issuer+
		"; the sign-in and client registration kept for "+prev.Endpoints.Issuer+" were forgotten and will not be sent to the new one.")
	return nil
}

// mcpRefreshInstead answers a 401 (a token expired or revoked, not one
// lacking a scope) with a refresh when the stored sign-in has a refresh
// token and its scopes cover what the challenge asks: no browser needed.
// nil means sign in.
func (e *Engine) mcpRefreshInstead(profile string, prev *record, in api.MCPAuthorizeInput, grant string, ch mcpauth.Bearer, stepUp bool) *api.TokenResult {
	if prev == nil || stepUp || in.Challenge == nil || grant != api.GrantAuthorizationCode || prev.MCP.Grant != grant ||
		prev.Token.RefreshToken == "" || len(in.Scopes) > 0 || !mcpauth.Covered(ch.Scope, previousScopes(prev)) {
		return nil
	}
	if err := e.refresh(profile, prev); err != nil {
		return nil // a dead refresh token: sign in again
	}
	if err := e.saveRecord(profile, prev); err != nil {
		return nil
	}
	return tokenResult(profile, prev, true)
}

// previousScopes are the scopes a stored sign-in asked for and was granted.
func previousScopes(r *record) []string {
	if r == nil {
		return nil
	}
	out := slices.Clone(r.Provider.Scopes)
	for _, s := range strings.Fields(r.Token.Scope) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// mcpBrowser starts the authorization code flow with PKCE and the resource
// (RFC 8707 2.1). The request is not fetched ahead as login_begin does:
// an MCP authorization server counts each authorization request as an
// attempt (the step-up bound above is stated in attempts), so each is sent
// once, by the browser, unless the server takes pushed requests.
func (e *Engine) mcpBrowser(profile string, r *record, in api.MCPAuthorizeInput) (*api.LoginBegun, *api.Error) {
	pl := &pendingLogin{profile: profile, provider: r.Provider, endpoints: r.Endpoints, secret: r.ClientSecret,
		redirectURI: in.RedirectURI, started: e.now(), resource: r.Resource, mcp: r.MCP}
	pl.verifier, pl.state = pkce.NewVerifier(), pkce.RandomToken()
	if wantsOIDC(&pl.provider) && pl.endpoints.JWKS != "" {
		pl.nonce = pkce.RandomToken()
		pl.endpoints.OIDC = true
	}
	authURL := withQuery(pl.endpoints.Authorization, authorizationParams(pl))
	if pl.endpoints.PushedAuthorization != "" {
		var err *api.Error
		if authURL, err = e.pushAuthorizationRequest(pl); err != nil {
			return nil, err
		}
	}
	return e.awaitBrowser(pl, authURL, "sign in to "+r.MCP.Server, in.OpenBrowser), nil
}

func challengeText(c *api.MCPChallenge, b mcpauth.Bearer) string {
	if c == nil {
		return "no challenge"
	}
	t := "last answer HTTP " + strconv.Itoa(c.Status) + errorSuffix(b.Error)
	if len(b.Scope) > 0 {
		t += ", asking for scope " + strconv.Quote(clean(strings.Join(b.Scope, " ")))
	}
	return t
}

func errorSuffix(code string) string {
	if code == "" {
		return ""
	}
	return " " + clean(code)
}
