package main

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// startGitHub is a fixture reproducing GitHub's documented response
// formats, not a real server:
//   - https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
//     (authorize redirects back with code and state only; the token
//     endpoint takes client_id and client_secret as parameters and answers
//     form-encoded unless Accept: application/json asks for JSON)
//   - https://docs.github.com/en/apps/oauth-apps/maintaining-oauth-apps/troubleshooting-oauth-app-access-token-request-errors
//     (errors such as bad_verification_code and incorrect_client_credentials
//     come with HTTP 200, in the same format as a success)
//   - https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens
//     (GitHub App user tokens, whose client IDs start with "Iv", expire:
//     expires_in 28800, a refresh token, refresh_token_expires_in; a refresh
//     rotates both and an old refresh token is bad_refresh_token. OAuth App
//     tokens, gho_..., do not expire and come without a refresh token.)
//   - https://github.blog/changelog/2025-07-14-pkce-support-for-oauth-and-github-app-authentication/
//     (PKCE S256 is checked when the authorization request carried it)
//   - https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#device-flow
//     (device codes from /login/device/code without a secret; polls get
//     authorization_pending with HTTP 200 until the user entered the code.
//     GitHub's interval is 5 s; the fixture says 1 s so a test waits one
//     second, not five.)
type githubOpts struct {
	// formAlways answers form-encoded whatever Accept says. GitHub does
	// that only without Accept (the plugin always sends it), so this is a
	// fault injection that proves the form-encoded body is understood end
	// to end.
	formAlways bool
	// codesExpire makes every code "incorrect or expired".
	codesExpire bool
}

func startGitHub(t *testing.T, client, secret string, opts githubOpts) *fixture {
	return startFixture(t, client, secret, func(f *fixture, mux *http.ServeMux) {
		mux.HandleFunc("GET /login/oauth/authorize", func(w http.ResponseWriter, r *http.Request) {
			f.authorize(w, r, nil)
		})
		mux.HandleFunc("POST /login/device/code", func(w http.ResponseWriter, r *http.Request) {
			json := strings.Contains(r.Header.Get("Accept"), "application/json")
			if r.PostForm.Get("client_id") != f.client {
				githubAnswer(w, json, githubError("incorrect_client_credentials", "The client_id and/or client_secret passed are incorrect."))
				return
			}
			dc := f.newToken("3584d8353055")
			f.mu.Lock()
			f.codes["device:"+dc] = r.PostForm // pending until approveDevice
			f.mu.Unlock()
			githubAnswer(w, json, map[string]any{"device_code": dc, "user_code": "WDJB-MJHT",
				"verification_uri": f.URL + "/login/device", "expires_in": 900, "interval": 1})
		})
		mux.HandleFunc("POST /login/oauth/access_token", func(w http.ResponseWriter, r *http.Request) {
			json := strings.Contains(r.Header.Get("Accept"), "application/json") && !opts.formAlways
			answer := func(v map[string]any) { githubAnswer(w, json, v) }
			if r.PostForm.Get("grant_type") == "urn:ietf:params:oauth:grant-type:device_code" {
				f.mu.Lock()
				_, pending := f.codes["device:"+r.PostForm.Get("device_code")]
				q2, approved := f.codes["approved:"+r.PostForm.Get("device_code")]
				delete(f.codes, "approved:"+r.PostForm.Get("device_code"))
				f.mu.Unlock()
				switch {
				case r.PostForm.Get("client_id") != f.client:
					answer(githubError("incorrect_client_credentials", "The client_id and/or client_secret passed are incorrect."))
				case approved:
					answer(f.githubToken(strings.HasPrefix(f.client, "Iv"), q2))
				case pending:
					answer(githubError("authorization_pending", "The authorization request is still pending."))
				default:
					answer(githubError("expired_token", "The device_code has expired."))
				}
				return
			}
			if !f.clientOK(r, false) {
				answer(githubError("incorrect_client_credentials", "The client_id and/or client_secret passed are incorrect."))
				return
			}
			app := strings.HasPrefix(f.client, "Iv")
			if r.PostForm.Get("grant_type") == "refresh_token" {
				if _, ok := f.useRefresh(r.PostForm.Get("refresh_token"), true); !app || !ok {
					answer(githubError("bad_refresh_token", "The refresh token passed is incorrect or expired."))
					return
				}
				answer(f.githubToken(true, nil))
				return
			}
			q, ok := f.redeem(r.PostForm)
			if !ok || opts.codesExpire {
				answer(githubError("bad_verification_code", "The code passed is incorrect or expired."))
				return
			}
			answer(f.githubToken(app, q))
		})
	})
}

// approveDevice plays the user entering the code at github.com/login/device.
func (f *fixture) approveDevice() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, q := range f.codes {
		if dc, ok := strings.CutPrefix(k, "device:"); ok {
			delete(f.codes, k)
			f.codes["approved:"+dc] = q
		}
	}
}

func (f *fixture) githubToken(app bool, q url.Values) map[string]any {
	if !app { // OAuth App: scopes come back comma-separated
		return map[string]any{"access_token": f.newToken("gho_"), "token_type": "bearer",
			"scope": strings.ReplaceAll(q.Get("scope"), " ", ",")}
	}
	return map[string]any{"access_token": f.newToken("ghu_"), "token_type": "bearer", "scope": "",
		"expires_in": 28800, "refresh_token": f.issueRefresh("ghr_", q), "refresh_token_expires_in": 15897600}
}

func githubError(code, desc string) map[string]any {
	return map[string]any{"error": code, "error_description": desc,
		"error_uri": "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors"}
}

// githubAnswer writes v with HTTP 200 (successes and errors alike), as
// JSON or form-encoded.
func githubAnswer(w http.ResponseWriter, asJSON bool, v map[string]any) {
	if asJSON {
		writeJSON(w, 200, v)
		return
	}
	form := url.Values{}
	for k, x := range v {
		switch x := x.(type) {
		case string:
			form.Set(k, x)
		case int:
			form.Set(k, strconv.Itoa(x))
		}
	}
	w.Header().Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	w.Write([]byte(form.Encode()))
}
