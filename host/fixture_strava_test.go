package main

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// startStrava is a fixture reproducing Strava's documented response
// formats, not a real server (https://developers.strava.com/docs/authentication/):
// authorize takes a comma-delimited scope and redirects back with code,
// state and the accepted scope; the token endpoint requires client_id and
// client_secret as parameters (a Bad Request in Strava's own error format
// otherwise), answers with expires_at (Unix seconds) beside expires_in, adds
// an athlete object to the code exchange, and issues a new refresh token on
// refresh, after which the old one no longer works. No PKCE, no OIDC.
func startStrava(t *testing.T, client, secret string) *fixture {
	return startFixture(t, client, secret, func(f *fixture, mux *http.ServeMux) {
		mux.HandleFunc("GET /oauth/authorize", func(w http.ResponseWriter, r *http.Request) {
			scope := r.URL.Query().Get("scope")
			if strings.ContainsAny(scope, " +") {
				writeJSON(w, 400, stravaError("Authorize", "scope"))
				return
			}
			f.authorize(w, r, map[string][]string{"scope": {scope}})
		})
		mux.HandleFunc("POST /oauth/token", func(w http.ResponseWriter, r *http.Request) {
			if !f.clientOK(r, false) {
				writeJSON(w, 400, stravaError("Application", "client_secret"))
				return
			}
			exp := time.Now().Add(6 * time.Hour).Unix()
			f.setExpiry(exp)
			answer := map[string]any{"token_type": "Bearer", "access_token": f.newToken("a4b9"),
				"expires_at": exp, "expires_in": exp - time.Now().Unix()}
			switch r.PostForm.Get("grant_type") {
			case "authorization_code":
				q, ok := f.redeem(r.PostForm)
				if !ok {
					writeJSON(w, 400, stravaError("AuthorizationCode", "code"))
					return
				}
				answer["refresh_token"] = f.issueRefresh("e5n5", q)
				answer["athlete"] = map[string]any{"id": 134815, "username": "marianne_t", "resource_state": 2,
					"firstname": "Marianne", "city": "San Francisco", "premium": true, "badge_type_id": 4}
			case "refresh_token":
				q, ok := f.useRefresh(r.PostForm.Get("refresh_token"), true)
				if !ok {
					writeJSON(w, 400, stravaError("RefreshToken", "refresh_token"))
					return
				}
				answer["refresh_token"] = f.issueRefresh("e5n5", q)
			default:
				writeJSON(w, 400, stravaError("Application", "grant_type"))
				return
			}
			writeJSON(w, 200, answer)
		})
	})
}

// stravaError is Strava's Fault shape: no OAuth error code at all.
func stravaError(resource, field string) map[string]any {
	return map[string]any{"message": "Bad Request",
		"errors": []any{map[string]any{"resource": resource, "field": field, "code": "invalid"}}}
}
