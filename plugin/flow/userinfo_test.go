package flow

import (
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

const userinfoURL = "https://idp.example/userinfo"

// userinfoSetup stores profile "p": a user "alice" whose access token
// expires at exp, with a refresh token.
func userinfoSetup(t *testing.T, exp time.Time) *testHost {
	h := newTestHost()
	storeRecord(t, h, &record{Provider: api.Provider{ClientID: "cli"}, Claims: map[string]any{"sub": "alice"},
		Endpoints: endpoints{Token: "https://idp.example/token", Userinfo: userinfoURL},
		Token:     storedToken{AccessToken: "AT1", TokenType: "Bearer", RefreshToken: "RT", ExpiresAt: exp.Unix()}})
	return h
}

func refreshed(n int) (*api.HTTPResponse, *api.Error) {
	return jsonResponse(200, `{"access_token":"AT`+string(rune('1'+n))+`","token_type":"Bearer","expires_in":3600}`)
}

func TestUserinfoClaims(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	h := userinfoSetup(t, now.Add(time.Hour))
	h.http = func(r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		if r.Method != "GET" || r.URL != userinfoURL || r.Headers["Authorization"][0] != "Bearer AT1" {
			t.Errorf("request %s %s %v", r.Method, r.URL, r.Headers)
		}
		return &api.HTTPResponse{Status: 200, Body: `{"sub":"alice","email":"a@example.com","address":{"country":"DE"}}`,
			Headers: map[string][]string{"Content-Type": {"application/json; charset=utf-8"}}}, nil
	}
	got, err := New(h, func() time.Time { return now }).Userinfo(api.ProfileRef{Profile: "p"})
	if err != nil || got.Profile != "p" || got.Claims["email"] != "a@example.com" || got.Claims["address"].(map[string]any)["country"] != "DE" {
		t.Fatalf("got %+v %v", got, err)
	}
}

// An access token about to expire is refreshed first, as `token` would.
func TestUserinfoRefreshesFirst(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	h := userinfoSetup(t, now.Add(10*time.Second))
	n := 0
	h.http = func(r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		if r.URL == "https://idp.example/token" {
			n++
			return refreshed(n)
		}
		if r.Headers["Authorization"][0] != "Bearer AT2" {
			t.Errorf("userinfo with %v", r.Headers["Authorization"])
		}
		return jsonResponse(200, `{"sub":"alice"}`)
	}
	if _, err := New(h, func() time.Time { return now }).Userinfo(api.ProfileRef{Profile: "p"}); err != nil || n != 1 {
		t.Fatalf("%v after %d refreshes", err, n)
	}
}

// A token refused before its expiry (revoked) is renewed once, not more.
func TestUserinfoRetriesOnceAfter401(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	for _, recovers := range []bool{true, false} {
		h := userinfoSetup(t, now.Add(time.Hour))
		n, calls := 0, 0
		h.http = func(r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
			if r.URL == "https://idp.example/token" {
				n++
				return refreshed(n)
			}
			calls++
			if recovers && r.Headers["Authorization"][0] == "Bearer AT2" {
				return jsonResponse(200, `{"sub":"alice"}`)
			}
			return &api.HTTPResponse{Status: 401, Headers: map[string][]string{
				"Www-Authenticate": {`Bearer realm="idp", error="invalid_token", error_description="token revoked, sorry"`}}}, nil
		}
		_, err := New(h, func() time.Time { return now }).Userinfo(api.ProfileRef{Profile: "p"})
		if n != 1 || calls != 2 {
			t.Fatalf("recovers=%v: %d refreshes, %d userinfo calls", recovers, n, calls)
		}
		if recovers && err != nil {
			t.Fatal(err)
		}
		if !recovers && (err == nil || err.Code != api.CodeLoginRequired ||
			err.Message != "the userinfo endpoint refused the request: invalid_token (token revoked, sorry); the access token is not accepted, run login again") {
			t.Fatalf("got %+v", err)
		}
	}
}

func TestUserinfoErrors(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	resp := func(status int, ct, body string, hdr ...string) func(api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		return func(api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
			h := map[string][]string{"Content-Type": {ct}}
			if len(hdr) == 2 {
				h[hdr[0]] = []string{hdr[1]}
			}
			return &api.HTTPResponse{Status: status, Body: body, Headers: h}, nil
		}
	}
	cases := []struct {
		name   string
		answer func(api.HTTPRequest) (*api.HTTPResponse, *api.Error)
		code   string
		want   string
	}{
		{"another user", resp(200, "application/json", `{"sub":"mallory"}`), api.CodeInvalidResp,
			`the userinfo answer is about another user (sub "mallory", but the ID token's is "alice"); it was rejected (OpenID Connect Core 5.3.2)`},
		{"no sub", resp(200, "application/json", `{"email":"a@example.com"}`), api.CodeInvalidResp, "has no sub claim"},
		{"sub not a string", resp(200, "application/json", `{"sub":42}`), api.CodeInvalidResp, "has no sub claim"},
		{"signed JWT", resp(200, "application/jwt", `eyJhbGciOiJSUzI1NiJ9.e30.sig`), api.CodeInvalidResp,
			"application/jwt), which is not supported yet"},
		{"HTML", resp(200, "text/html", `<html>`), api.CodeInvalidResp, `content type "text/html" instead of JSON`},
		{"not an object", resp(200, "application/json", `["sub"]`), api.CodeInvalidResp, "not a JSON object"},
		{"insufficient scope", resp(403, "", "", "WWW-Authenticate", `Bearer error="insufficient_scope"`), api.CodeServer,
			"refused the request: insufficient_scope; log in again with scope openid"},
		{"error body", resp(400, "application/json", `{"error":"invalid_request","error_description":"no"}`), api.CodeServer,
			"the userinfo endpoint refused the request: invalid_request (no)"},
		{"down", resp(503, "text/plain", "later"), api.CodeTransient, "refused the request: HTTP 503; try again later"},
		{"network", func(api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
			return nil, &api.Error{Code: api.HostTimeout, Message: "took longer than 30s"}
		}, api.CodeTransient, "asking the userinfo endpoint: took longer than 30s"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := userinfoSetup(t, now.Add(time.Hour))
			h.http = c.answer
			_, err := New(h, func() time.Time { return now }).Userinfo(api.ProfileRef{Profile: "p"})
			if err == nil || err.Code != c.code || !strings.Contains(err.Message, c.want) {
				t.Fatalf("got %+v, want %s with %q", err, c.code, c.want)
			}
		})
	}
}

func TestUserinfoWithoutEndpointOrIDToken(t *testing.T) {
	h := newTestHost()
	storeRecord(t, h, &record{Provider: api.Provider{ClientID: "cli"}, Endpoints: endpoints{Token: "https://idp.example/token"},
		Token: storedToken{AccessToken: "AT", TokenType: "Bearer"}})
	h.http = func(api.HTTPRequest) (*api.HTTPResponse, *api.Error) { t.Fatal("no request expected"); return nil, nil }
	_, err := New(h, time.Now).Userinfo(api.ProfileRef{Profile: "p"})
	if err == nil || err.Code != api.CodeInvalidResp || !strings.Contains(err.Message, "names no userinfo endpoint") {
		t.Fatalf("got %+v", err)
	}
	// Without an ID token (a plain OAuth sign-in) there is no sub to compare.
	r, _ := New(h, time.Now).loadRecord("p")
	r.Endpoints.Userinfo = userinfoURL
	r.Grant = grantClientCredentials
	New(h, time.Now).saveRecord("p", r)
	_, err = New(h, time.Now).Userinfo(api.ProfileRef{Profile: "p"})
	if err == nil || err.Code != api.CodeBadInput || !strings.Contains(err.Message, "there is no user to ask the userinfo endpoint about") {
		t.Fatalf("client credentials: got %+v", err)
	}
	r.Grant = ""
	New(h, time.Now).saveRecord("p", r)
	h.http = func(api.HTTPRequest) (*api.HTTPResponse, *api.Error) { return jsonResponse(200, `{"login":"octocat"}`) }
	if got, err := New(h, time.Now).Userinfo(api.ProfileRef{Profile: "p"}); err != nil || got.Claims["login"] != "octocat" {
		t.Fatalf("got %+v %v", got, err)
	}
}

func TestAuthParam(t *testing.T) {
	h := `Bearer realm="a, b", error="invalid_token", error_description="x, y", scope=openid`
	if c, d := bearerError(h); c != "invalid_token" || d != "x, y" {
		t.Fatalf("%q %q", c, d)
	}
	if authParam(h, "scope") != "openid" || authParam(h, "missing") != "" {
		t.Fatal("unquoted or missing parameter")
	}
}
