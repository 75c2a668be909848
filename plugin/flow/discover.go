package flow

import (
	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/discovery"
)

// discover finds the provider's endpoints: explicit configuration wins (for
// servers without discovery); otherwise OIDC discovery, then the RFC 8414
// document for plain OAuth servers.
func (e *Engine) discover(p *api.Provider) (endpoints, *api.Error) {
	return e.discoverFor(p, true)
}

// discoverFor is discover for any grant. requirePKCE is false for grants
// without an authorization request (client credentials), where a server's
// PKCE support is beside the point. An explicit revocation endpoint wins
// over discovery's (see withRevocationEndpoint).
func (e *Engine) discoverFor(p *api.Provider, requirePKCE bool) (endpoints, *api.Error) {
	ep, err := e.findEndpoints(p, requirePKCE)
	if err == nil {
		ep, err = withProviderOptions(p, ep)
	}
	if err != nil {
		return ep, err
	}
	return withRevocationEndpoint(p, ep)
}

func (e *Engine) findEndpoints(p *api.Provider, requirePKCE bool) (endpoints, *api.Error) {
	if p.AuthorizationEndpoint != "" || p.TokenEndpoint != "" {
		return explicitEndpoints(p)
	}
	if p.Issuer == "" {
		return endpoints{}, failf(api.CodeBadInput, "set the issuer (for discovery) or both the authorization and token endpoints")
	}
	oidcURL := discovery.OIDCURL(p.Issuer)
	md, err := e.fetchMetadata(oidcURL, p.Issuer)
	if err != nil && err.Code == "not_found" {
		oauthURL, uerr := discovery.OAuthURL(p.Issuer)
		if uerr != nil {
			return endpoints{}, failf(api.CodeBadInput, "issuer: %v", uerr)
		}
		md, err = e.fetchMetadata(oauthURL, p.Issuer)
		if err != nil && err.Code == "not_found" {
			return endpoints{}, failf(api.CodeInvalidResp,
				"%s has no discovery document (tried %s and %s); pass --auth-url and --token-url instead", p.Issuer, oidcURL, oauthURL)
		}
	}
	if err != nil {
		return endpoints{}, err
	}
	if requirePKCE && !md.SupportsS256() {
		return endpoints{}, failf(api.CodeInvalidResp, "%s does not support PKCE with S256, which a public client must use (RFC 9700 2.1.1)", p.Issuer)
	}
	return endpoints{
		Issuer: md.Issuer, Authorization: md.AuthorizationEndpoint, Token: md.TokenEndpoint,
		JWKS: md.JWKSURI, Userinfo: md.UserinfoEndpoint, Revocation: md.RevocationEndpoint,
		IssParameter:     md.AuthorizationResponseIssParameterSupported,
		TokenAuthMethods: md.TokenEndpointAuthMethodsSupported, OIDC: md.JWKSURI != "",
		ScopesSupported: md.ScopesSupported, Device: md.DeviceAuthorizationEndpoint,
		PushedAuthorization: md.PushedAuthorizationRequestEndpoint,
	}, nil
}

func (e *Engine) fetchMetadata(u, issuer string) (*discovery.Metadata, *api.Error) {
	if md := e.cachedMetadata(u, issuer); md != nil {
		return md, nil
	}
	resp, herr := e.get(u, "application/json")
	if herr != nil {
		return nil, hostFailure("fetching "+u, herr)
	}
	switch {
	case resp.Status == 404:
		return nil, &api.Error{Code: "not_found"}
	case resp.Status >= 500:
		return nil, failf(api.CodeTransient, "fetching %s: HTTP %d; try again later", u, resp.Status)
	case resp.Status != 200:
		return nil, failf(api.CodeInvalidResp, "fetching %s: HTTP %d; is the issuer URL right?", u, resp.Status)
	}
	md, err := discovery.Parse([]byte(resp.Body), issuer)
	if err != nil {
		return nil, failf(api.CodeInvalidResp, "discovery document at %s: %v", u, err)
	}
	e.rememberMetadata(u, issuer, md)
	return md, nil
}

func explicitEndpoints(p *api.Provider) (endpoints, *api.Error) {
	if p.AuthorizationEndpoint == "" || p.TokenEndpoint == "" {
		return endpoints{}, failf(api.CodeBadInput, "give both the authorization and the token endpoint, or neither (to use discovery)")
	}
	for field, u := range map[string]string{"authorization endpoint": p.AuthorizationEndpoint,
		"token endpoint": p.TokenEndpoint, "jwks uri": p.JWKSURI} {
		if u == "" {
			continue
		}
		if err := discovery.CheckEndpointURL(field, u); err != nil {
			return endpoints{}, failf(api.CodeBadInput, "%v", err)
		}
	}
	return endpoints{Issuer: p.Issuer, Authorization: p.AuthorizationEndpoint, Token: p.TokenEndpoint,
		JWKS: p.JWKSURI, OIDC: p.JWKSURI != "" && p.Issuer != ""}, nil
}
