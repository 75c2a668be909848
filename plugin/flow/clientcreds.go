package flow

import (
	"net/url"
	"strings"

	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/discovery"
	"github.com/wasmlogin/wasmlogin/plugin/tokenresp"
)

// grantClientCredentials marks a record that renews by running the client
// credentials grant again: RFC 6749 4.4.3 says such responses should carry
// no refresh token, and the client can always ask anew.
const grantClientCredentials = "client_credentials"

// ClientCredentials signs a confidential client in as itself (RFC 6749 4.4),
// for cron jobs and CI: no user, no browser. The token is stored like any
// sign-in, so `token` hands it out and renews it when it expires.
func (e *Engine) ClientCredentials(in api.ClientCredentialsInput) (*api.TokenResult, *api.Error) {
	p := in.Provider
	if p == nil || p.ClientID == "" || (p.Issuer == "" && p.TokenEndpoint == "") {
		return nil, failf(api.CodeBadInput, "client credentials need a client id (--client-id) and an issuer (--issuer) or token endpoint (--token-url)")
	}
	switch in.AuthMethod {
	case "", "client_secret_basic", "client_secret_post":
	default:
		return nil, failf(api.CodeBadInput, "client authentication method %q is not supported; use client_secret_basic or client_secret_post", clean(in.AuthMethod))
	}
	if err := checkScopes(p.Scopes); err != nil {
		return nil, err
	}
	profile, perr := e.resolveProfile(in.ProfileRef)
	if perr != nil {
		return nil, perr
	}
	ep, derr := e.machineEndpoints(p)
	if derr != nil {
		return nil, derr
	}
	if in.AuthMethod != "" {
		// The user's choice replaces what discovery offered; renewals read it
		// from the record through clientAuthMethod.
		ep.TokenAuthMethods = []string{in.AuthMethod}
	}
	secret, serr := e.clientSecret(profile, p)
	if serr != nil {
		return nil, serr
	}
	if secret == "" {
		return nil, failf(api.CodeBadInput, "client credentials need the client's secret: put it in an environment variable and name it with --client-secret-env")
	}
	r := &record{Provider: *p, Endpoints: ep, ClientSecret: secret, Grant: grantClientCredentials}
	r.Provider.ClientSecret = ""
	r.Provider.PromptClientSecret = false
	if err := e.runClientCredentials(profile, r); err != nil {
		return nil, err
	}
	if err := e.saveRecord(profile, r); err != nil {
		return nil, err
	}
	if herr := e.host.SecretSet(defaultProfileKey, profile); herr != nil {
		return nil, storageFailure(herr)
	}
	return tokenResult(profile, r, false), nil
}

// machineEndpoints finds the token endpoint without demanding what only a
// browser flow needs: a token URL alone is enough, and discovery need not
// promise PKCE.
func (e *Engine) machineEndpoints(p *api.Provider) (endpoints, *api.Error) {
	if p.AuthorizationEndpoint != "" || p.TokenEndpoint == "" {
		return e.discoverFor(p, false)
	}
	if err := discovery.CheckEndpointURL("token endpoint", p.TokenEndpoint); err != nil {
		return endpoints{}, failf(api.CodeBadInput, "%v", err)
	}
	return withRevocationEndpoint(p, endpoints{Issuer: p.Issuer, Token: p.TokenEndpoint})
}

// runClientCredentials asks for a token and folds it into r. A failure
// leaves r's token as it was, so a failed renewal changes nothing stored.
// An MCP sign-in names its resource (RFC 8707 2.2).
func (e *Engine) runClientCredentials(profile string, r *record) *api.Error {
	form := url.Values{"grant_type": {"client_credentials"}}
	if len(r.Provider.Scopes) > 0 {
		form.Set("scope", strings.Join(r.Provider.Scopes, " "))
	}
	if r.Resource != "" {
		form.Set("resource", r.Resource)
	}
	resp, ferr := e.postToken("requesting a client credentials token", r.Endpoints.Token, form, r.client(profile))
	if ferr != nil {
		return ferr
	}
	tok, err := tokenresp.Parse(resp.Status, header(resp, "Content-Type"), []byte(resp.Body), e.now())
	if err != nil {
		f := tokenFailure("requesting a client credentials token", err)
		if f.ServerError == "invalid_client" || f.ServerError == "unauthorized_client" {
			f.Message += "; check the client id and the secret (--client-secret-env), and that the client may use the client_credentials grant"
		}
		return f
	}
	// No user signed in, so there is no identity to keep; a refresh token
	// (which RFC 6749 4.4.3 advises against) would be one more secret to
	// store for nothing, as renewal runs the grant again.
	tok.IDToken, tok.RefreshToken = "", ""
	return e.acceptToken(r, tok, "")
}

// renewClientCredentials is Token's path for client-credentials profiles.
func (e *Engine) renewClientCredentials(profile string, r *record) (*api.TokenResult, *api.Error) {
	if err := e.runClientCredentials(profile, r); err != nil {
		return nil, err
	}
	if err := e.saveRecord(profile, r); err != nil {
		return nil, err
	}
	return tokenResult(profile, r, true), nil
}
