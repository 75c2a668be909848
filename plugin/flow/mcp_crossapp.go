package flow

import (
	"net/url"
	"strings"

	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/mcpauth"
	"github.com/wasmlogin/wasmlogin/plugin/tokenresp"
)

const (
	// typeIDJAG is the token type of an identity assertion authorization
	// grant (draft-ietf-oauth-identity-assertion-authz-grant 4).
	typeIDJAG = tokenTypePrefix + "id-jag"
	// grantJWTBearer redeems a JWT as an authorization grant (RFC 7523 2.1).
	grantJWTBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer"
)

// crossAppAccess signs in with the user's enterprise identity provider
// vouching for them (MCP's enterprise-managed authorization extension,
// draft-ietf-oauth-identity-assertion-authz-grant): the ID token the user
// got from the IdP is exchanged there for an ID-JAG (RFC 8693) naming the
// MCP server's authorization server as audience and the MCP server as
// resource; the authorization server then redeems the ID-JAG as a JWT
// authorization grant (RFC 7523 2.1) for an access token. No browser takes
// part. The ID-JAG lives minutes and is not kept; renewing needs a new ID
// token, so the record keeps only what the authorization server issued.
func (e *Engine) crossAppAccess(profile string, r *record, ia *api.MCPIdentityAssertion) *api.Error {
	const exchange = "exchanging the ID token for an identity assertion grant at the identity provider (RFC 8693)"
	form := url.Values{"grant_type": {grantTokenExchange}, "requested_token_type": {typeIDJAG},
		"subject_token": {ia.IDToken}, "subject_token_type": {typeIDToken},
		"audience": {r.Endpoints.Issuer}, "resource": {r.Resource}}
	if len(r.Provider.Scopes) > 0 {
		form.Set("scope", strings.Join(r.Provider.Scopes, " "))
	}
	idp := tokenClient{id: ia.IdPClientID, secret: ia.IdPClientSecret, method: mcpauth.AuthNone}
	if idp.secret != "" {
		idp.method = mcpauth.AuthSecretBasic
	}
	resp, ferr := e.postToken(exchange, ia.IdPTokenEndpoint, form, idp)
	if ferr != nil {
		return ferr
	}
	jag, err := tokenresp.Parse(resp.Status, header(resp, "Content-Type"), []byte(resp.Body), e.now())
	if err != nil {
		f := tokenFailure(exchange, err)
		if f.ServerError == "invalid_grant" {
			f.Code = api.CodeLoginRequired
			f.Message += "; the ID token may have expired: sign in to the identity provider again"
		}
		return f
	}
	if jag.IssuedTokenType != typeIDJAG {
		return failf(api.CodeInvalidResp, "%s: the identity provider issued %q, not an identity assertion grant (%s)", exchange, clean(jag.IssuedTokenType), typeIDJAG)
	}

	const redeem = "redeeming the identity assertion grant at the authorization server (RFC 7523)"
	form = url.Values{"grant_type": {grantJWTBearer}, "assertion": {jag.AccessToken}, "resource": {r.Resource}}
	if len(r.Provider.Scopes) > 0 {
		form.Set("scope", strings.Join(r.Provider.Scopes, " "))
	}
	resp, ferr = e.postToken(redeem, r.Endpoints.Token, form, r.client(profile))
	if ferr != nil {
		return ferr
	}
	tok, err := tokenresp.Parse(resp.Status, header(resp, "Content-Type"), []byte(resp.Body), e.now())
	if err != nil {
		return tokenFailure(redeem, err)
	}
	tok.IDToken = "" // no nonce was sent, and the identity is the IdP's
	return e.acceptToken(r, tok, "")
}
