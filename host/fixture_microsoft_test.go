package main

import (
	"net/http"
	"net/url"
	"testing"
)

// msUserTenant is the tenant ID of the fixture's signed-in user.
const msUserTenant = "3a1f2b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b"

// startMicrosoft is a fixture reproducing the Microsoft identity platform's
// documented response formats, not a real server:
//   - https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc#find-your-apps-openid-configuration-document-uri
//     (per-tenant discovery at /{tenant}/v2.0/.well-known/openid-configuration;
//     for "common" and "organizations" the issuer is the template
//     https://login.microsoftonline.com/{tenantid}/v2.0, see
//     https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens#validate-the-issuer)
//   - https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow
//     (public client: PKCE, no secret; refresh tokens rotate and a refresh
//     brings a new ID token)
//   - https://learn.microsoft.com/en-us/entra/identity-platform/reply-url#localhost-exceptions
//     (an http redirect is registered as localhost; anything else is
//     refused with AADSTS50011 on an error page, no redirect)
//   - https://learn.microsoft.com/en-us/previous-versions/azure/active-directory/azuread-dev/v1-protocols-oauth-code
//     (expires_in and ext_expires_in as strings)
//   - https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference
//     (v2.0 ID token claims: iss of the user's tenant, tid, oid, preferred_username)
type msOpts struct {
	// foreignTid signs ID tokens whose tid is not the tenant in iss: a
	// fault, which the documented issuer check must refuse.
	foreignTid bool
}

func startMicrosoft(t *testing.T, client string, opts msOpts) *fixture {
	f := startFixture(t, client, "", func(f *fixture, mux *http.ServeMux) {
		mux.HandleFunc("GET /{tenant}/oauth2/v2.0/authorize", func(w http.ResponseWriter, r *http.Request) {
			if ru, err := url.Parse(r.URL.Query().Get("redirect_uri")); err != nil || ru.Hostname() != "localhost" {
				http.Error(w, "AADSTS50011: The redirect URI specified in the request does not match the redirect URIs configured for the application.", 400)
				return
			}
			f.authorize(w, r, map[string][]string{"session_state": {"fixture-session"}})
		})
		mux.HandleFunc("GET /{tenant}/discovery/v2.0/keys", serveJWKS)
		mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", func(w http.ResponseWriter, r *http.Request) {
			if r.PostForm.Get("client_secret") != "" || !f.clientOK(r, false) {
				writeJSON(w, 401, map[string]any{"error": "invalid_client",
					"error_description": "AADSTS700025: Client is public so neither 'client_assertion' nor 'client_secret' should be presented."})
				return
			}
			var q url.Values
			var ok bool
			nonce := ""
			if r.PostForm.Get("grant_type") == "refresh_token" {
				q, ok = f.useRefresh(r.PostForm.Get("refresh_token"), true)
			} else if q, ok = f.redeem(r.PostForm); ok {
				nonce = q.Get("nonce")
			}
			if !ok {
				writeJSON(w, 400, map[string]any{"error": "invalid_grant",
					"error_description": "AADSTS70000: The provided value for the 'code' or 'refresh_token' parameter is not valid."})
				return
			}
			tenant := r.PathValue("tenant")
			if tenant == "common" || tenant == "organizations" {
				tenant = msUserTenant
			}
			claims := map[string]any{"ver": "2.0", "iss": f.URL + "/" + tenant + "/v2.0", "aud": f.client, "tid": tenant,
				"sub": "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ", "oid": "00000000-0000-0000-66f3-3332eca7ea81",
				"preferred_username": "fixture.user@contoso.example", "name": "Fixture User"}
			if nonce != "" {
				claims["nonce"] = nonce
			}
			if opts.foreignTid {
				claims["tid"] = "9188040d-6c67-4c5b-b112-36a304b66dad"
			}
			writeJSON(w, 200, map[string]any{"token_type": "Bearer", "scope": "openid profile offline_access User.Read",
				"expires_in": "3599", "ext_expires_in": "3599", "access_token": f.newToken("eyJ0eXAi."),
				"refresh_token": f.issueRefresh("0.AXEA", q), "id_token": idToken(claims)})
		})
	})
	for _, tenant := range []string{"common", "organizations", msUserTenant} {
		issuer := f.URL + "/" + tenant + "/v2.0"
		if tenant != msUserTenant {
			issuer = f.URL + "/{tenantid}/v2.0"
		}
		base := f.URL + "/" + tenant
		f.handleDiscoveryAt("/"+tenant+"/v2.0/.well-known/openid-configuration", func() map[string]any {
			return map[string]any{
				"issuer":                                issuer,
				"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
				"token_endpoint":                        base + "/oauth2/v2.0/token",
				"device_authorization_endpoint":         base + "/oauth2/v2.0/devicecode",
				"end_session_endpoint":                  base + "/oauth2/v2.0/logout",
				"jwks_uri":                              base + "/discovery/v2.0/keys",
				"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
				"response_modes_supported":              []string{"query", "fragment", "form_post"},
				"subject_types_supported":               []string{"pairwise"},
				"id_token_signing_alg_values_supported": []string{"RS256"},
				"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
				"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
				"request_uri_parameter_supported":       false,
				"tenant_region_scope":                   nil,
				"cloud_instance_name":                   "microsoftonline.com",
			}
		})
	}
	return f
}
