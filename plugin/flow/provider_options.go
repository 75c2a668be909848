package flow

import (
	"strings"

	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/discovery"
)

// Provider options for servers that bend the standards in documented ways.
// Each is a setting of api.Provider (a host's preset fills it in), so the
// flows stay the same for every server.

// withProviderOptions checks the options and applies the token endpoint
// authentication method, which explicit configuration decides over discovery.
func withProviderOptions(p *api.Provider, ep endpoints) (endpoints, *api.Error) {
	if err := checkScopes(p.Scopes); err != nil {
		return ep, err
	}
	switch p.ScopeSeparator {
	case "", " ", ",":
	default:
		return ep, failf(api.CodeBadInput, "scope separator %q: use \" \" (the standard) or \",\"", clean(p.ScopeSeparator))
	}
	switch p.TokenAuthMethod {
	case "":
	case "client_secret_basic", "client_secret_post":
		ep.TokenAuthMethods = []string{p.TokenAuthMethod}
	default:
		return ep, failf(api.CodeBadInput, "token auth method %q: use client_secret_basic or client_secret_post", clean(p.TokenAuthMethod))
	}
	return ep, nil
}

// scopeSeparator joins scopes in an authorization request: a space (RFC
// 6749 3.3) unless the provider asks for a comma list, as Strava documents
// (https://developers.strava.com/docs/authentication/: "comma delimited").
func scopeSeparator(p *api.Provider) string {
	if p.ScopeSeparator == "" {
		return " "
	}
	return p.ScopeSeparator
}

// ownDeadRefreshCode recognises a provider's own word for RFC 6749's
// invalid_grant on a refresh, where only a new login helps: GitHub's
// bad_refresh_token, which it sends with HTTP 200 for an expired or
// already used refresh token
// (https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens).
func ownDeadRefreshCode(serverError string) bool {
	return serverError == "bad_refresh_token"
}

// callbackIssuerOK checks an RFC 9207 iss parameter against the issuer
// discovery named. With a tenant template (Microsoft's multi-tenant
// endpoints, see discovery.MatchTenantTemplate) the redirect can only name
// the user's tenant, which is not known before the ID token arrives: the
// template's fixed parts must match and the tenant must be one path segment.
func callbackIssuerOK(issuer, iss string) bool {
	if iss == issuer {
		return true
	}
	_, ok := discovery.MatchTenantTemplate(issuer, iss)
	return ok
}

// splitScope reads a granted scope list for display: space-delimited (RFC
// 6749 3.3), or comma-delimited as GitHub answers ("repo,gist",
// https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#2-users-are-redirected-back-to-your-site-by-github).
func splitScope(scope string) []string {
	return strings.FieldsFunc(scope, func(r rune) bool { return r == ',' || r == ' ' })
}
