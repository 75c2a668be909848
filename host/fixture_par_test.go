package main

import (
	"net/http"
	"net/url"
	"testing"
)

// startPAR is a fixture of an authorization server with pushed
// authorization requests (RFC 9126), since neither test server offers
// them. It answers as the RFC documents: the PAR endpoint authenticates
// the client as the token endpoint would and answers 201 with request_uri
// and expires_in (2.2), or an RFC 6749 5.2 error with 400 or 401 (2.3);
// the authorization endpoint then takes client_id and request_uri only,
// each request_uri once (4). A public client, plain OAuth (no ID token).
func startPAR(t *testing.T, client string) *fixture {
	pushed := map[string]url.Values{}
	f := startFixture(t, client, "", func(f *fixture, mux *http.ServeMux) {
		mux.HandleFunc("POST /par", func(w http.ResponseWriter, r *http.Request) {
			ru, err := url.Parse(r.PostForm.Get("redirect_uri"))
			switch {
			case !f.clientOK(r, true):
				writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_client", "error_description": "client authentication failed"})
				return
			case r.PostForm.Has("request_uri"): // RFC 9126 2.1
				writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request", "error_description": "request_uri must not be pushed"})
				return
			case err != nil || ru.Scheme != "http" || ru.Hostname() != "127.0.0.1":
				writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request", "error_description": "The redirect_uri is not valid for the given client"})
				return
			}
			urn := "urn:ietf:params:oauth:request_uri:" + f.newToken("req")
			f.mu.Lock()
			pushed[urn] = r.PostForm
			f.mu.Unlock()
			writeJSON(w, http.StatusCreated, map[string]any{"request_uri": urn, "expires_in": 60})
		})
		mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			f.mu.Lock()
			req, ok := pushed[q.Get("request_uri")]
			delete(pushed, q.Get("request_uri"))
			f.mu.Unlock()
			if !ok || len(q) != 2 || q.Get("client_id") != req.Get("client_id") {
				http.Error(w, "unknown or used request_uri", http.StatusBadRequest)
				return
			}
			r.URL.RawQuery = req.Encode() // what was pushed is the request
			f.authorize(w, r, nil)
		})
		mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
			if _, ok := f.redeem(r.PostForm); !ok || !f.clientOK(r, true) {
				writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_grant"})
				return
			}
			writeJSON(w, http.StatusOK, map[string]any{"access_token": f.newToken("par_at"), "token_type": "Bearer", "expires_in": 3600})
		})
	})
	f.handleDiscovery(map[string]any{
		"issuer": f.URL, "authorization_endpoint": f.URL + "/authorize", "token_endpoint": f.URL + "/token",
		"pushed_authorization_request_endpoint": f.URL + "/par", "code_challenge_methods_supported": []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"none"},
	})
	return f
}
