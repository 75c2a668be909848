package main

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// startGitLab is a fixture reproducing GitLab's documented response
// formats, not a real server:
//   - https://docs.gitlab.com/integration/openid_connect_provider/
//     (discovery at /.well-known/openid-configuration, ID token claims
//     sub, sub_legacy, auth_time, nonce)
//   - https://docs.gitlab.com/api/oauth2/#authorization-code-with-proof-key-for-code-exchange-pkce
//     (a non-confidential application: PKCE, no secret; token answers
//     carry created_at; a refresh returns a new refresh token, the old one
//     is revoked, and the answer has no ID token)
func startGitLab(t *testing.T, client string) *fixture {
	f := startFixture(t, client, "", func(f *fixture, mux *http.ServeMux) {
		mux.HandleFunc("GET /oauth/authorize", func(w http.ResponseWriter, r *http.Request) {
			f.authorize(w, r, nil)
		})
		mux.HandleFunc("GET /oauth/discovery/keys", serveJWKS)
		mux.HandleFunc("POST /oauth/token", func(w http.ResponseWriter, r *http.Request) {
			if !f.clientOK(r, true) {
				writeJSON(w, 401, map[string]any{"error": "invalid_client", "error_description": "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method."})
				return
			}
			var q url.Values
			var ok bool
			if r.PostForm.Get("grant_type") == "refresh_token" {
				q, ok = f.useRefresh(r.PostForm.Get("refresh_token"), true)
			} else {
				q, ok = f.redeem(r.PostForm)
			}
			if !ok {
				writeJSON(w, 400, map[string]any{"error": "invalid_grant", "error_description": "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."})
				return
			}
			answer := map[string]any{"access_token": f.newToken("glpat-"), "token_type": "Bearer", "expires_in": 7200,
				"refresh_token": f.issueRefresh("glrt-", q), "scope": q.Get("scope"), "created_at": time.Now().Unix()}
			if r.PostForm.Get("grant_type") == "authorization_code" {
				answer["id_token"] = idToken(map[string]any{"iss": f.URL, "sub": "4711", "sub_legacy": "2ecf0c2a1f0b",
					"aud": f.client, "auth_time": time.Now().Unix(), "nonce": q.Get("nonce")})
			}
			writeJSON(w, 200, answer)
		})
	})
	f.handleDiscovery(map[string]any{
		"issuer":                                f.URL,
		"authorization_endpoint":                f.URL + "/oauth/authorize",
		"token_endpoint":                        f.URL + "/oauth/token",
		"revocation_endpoint":                   f.URL + "/oauth/revoke",
		"introspection_endpoint":                f.URL + "/oauth/introspect",
		"userinfo_endpoint":                     f.URL + "/oauth/userinfo",
		"jwks_uri":                              f.URL + "/oauth/discovery/keys",
		"scopes_supported":                      []string{"api", "read_api", "read_user", "read_repository", "write_repository", "openid", "profile", "email"},
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"grant_types_supported":                 []string{"authorization_code", "password", "client_credentials", "device_code", "refresh_token"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"plain", "S256"},
	})
	return f
}
