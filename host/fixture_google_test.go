package main

import (
	"net/http"
	"testing"
)

// startGoogle is a fixture reproducing Google's documented response
// formats, not a real server:
//   - https://developers.google.com/identity/openid-connect/openid-connect#discovery
//     (discovery; the token endpoint and the keys live on other hosts than
//     the issuer, as oauth2.googleapis.com and www.googleapis.com do)
//   - https://developers.google.com/identity/protocols/oauth2/native-app
//     (a desktop client's secret is required at the token endpoint, in
//     the body or as HTTP Basic; a refresh token only with
//     access_type=offline; the refresh answer has neither a new refresh
//     token nor an ID token, see #offline)
//   - https://developers.google.com/identity/openid-connect/openid-connect#an-id-tokens-payload
//     (ID token claims: iss, azp, aud, sub, email, email_verified, nonce)
func startGoogle(t *testing.T, client, secret string) *fixture {
	f := startFixture(t, client, secret, func(f *fixture, mux *http.ServeMux) {
		mux.HandleFunc("GET /o/oauth2/v2/auth", func(w http.ResponseWriter, r *http.Request) {
			f.authorize(w, r, map[string][]string{"scope": {"email openid https://www.googleapis.com/auth/userinfo.email"},
				"authuser": {"0"}, "prompt": {"consent"}})
		})
		mux.HandleFunc("GET /oauth2/v3/certs", serveJWKS)
		mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
			if !f.clientOK(r, true) {
				writeJSON(w, 401, map[string]any{"error": "invalid_client", "error_description": "Unauthorized"})
				return
			}
			scope := "openid https://www.googleapis.com/auth/userinfo.email"
			if r.PostForm.Get("grant_type") == "refresh_token" {
				if _, ok := f.useRefresh(r.PostForm.Get("refresh_token"), false); !ok {
					writeJSON(w, 400, map[string]any{"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
					return
				}
				writeJSON(w, 200, map[string]any{"access_token": f.newToken("ya29."), "expires_in": 3599, "scope": scope, "token_type": "Bearer"})
				return
			}
			q, ok := f.redeem(r.PostForm)
			if !ok {
				writeJSON(w, 400, map[string]any{"error": "invalid_grant", "error_description": "Bad Request"})
				return
			}
			answer := map[string]any{"access_token": f.newToken("ya29."), "expires_in": 3599, "scope": scope, "token_type": "Bearer",
				"id_token": idToken(map[string]any{"iss": f.URL, "azp": f.client, "aud": f.client, "sub": "110169484474386276334",
					"email": "fixture.user@gmail.example", "email_verified": true, "nonce": q.Get("nonce")})}
			if q.Get("access_type") == "offline" {
				answer["refresh_token"] = f.issueRefresh("1//0g", q)
			}
			writeJSON(w, 200, answer)
		})
	})
	tokenHost, keysHost := f.alsoServe(), f.alsoServe()
	f.handleDiscovery(map[string]any{
		"issuer":                                f.URL,
		"authorization_endpoint":                f.URL + "/o/oauth2/v2/auth",
		"token_endpoint":                        tokenHost + "/token",
		"jwks_uri":                              keysHost + "/oauth2/v3/certs",
		"response_types_supported":              []string{"code", "token", "id_token", "code token", "code id_token", "token id_token", "code token id_token", "none"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "email", "profile"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "client_secret_basic"},
		"code_challenge_methods_supported":      []string{"plain", "S256"},
	})
	return f
}
