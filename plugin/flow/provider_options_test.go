package flow

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// A Strava-like provider: no discovery, a comma-separated scope list, the
// secret in the form body, expires_at beside expires_in.
func TestScopeSeparatorAndTokenAuthMethod(t *testing.T) {
	h := newTestHost()
	now := time.Unix(1_800_000_000, 0)
	e := New(h, func() time.Time { return now })
	p := &api.Provider{ClientID: "123", ClientSecret: "s3cret", Scopes: []string{"read", "activity:read"},
		AuthorizationEndpoint: "https://www.strava.example/oauth/authorize", TokenEndpoint: "https://www.strava.example/oauth/token",
		ScopeSeparator: ",", TokenAuthMethod: "client_secret_post"}
	b, err := e.LoginBegin(api.LoginBeginInput{ProfileRef: api.ProfileRef{Provider: p}, RedirectURI: "http://127.0.0.1:5000/callback"})
	if err != nil {
		t.Fatal(err)
	}
	q := mustQuery(t, b.AuthorizationURL)
	if got := q.Get("scope"); got != "read,activity:read" {
		t.Fatalf("scope = %q, want the comma list", got)
	}
	h.http = func(r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		form, _ := url.ParseQuery(r.Body)
		if form.Get("client_secret") != "s3cret" || form.Get("client_id") != "123" || r.Headers["Authorization"] != nil {
			t.Errorf("client authentication: form %v, Authorization %v; want client_secret_post", form, r.Headers["Authorization"])
		}
		return jsonResponse(200, `{"token_type":"Bearer","expires_at":1800021600,"expires_in":21600,"refresh_token":"e5n5",
			"access_token":"a4b9","athlete":{"id":134815,"username":"marianne_t","badge_type_id":4}}`)
	}
	s, cerr := e.LoginComplete(api.LoginCompleteInput{FlowID: b.FlowID,
		CallbackURL: "http://127.0.0.1:5000/callback?state=" + url.QueryEscape(q.Get("state")) + "&code=c&scope=read,activity:read"})
	if cerr != nil {
		t.Fatal(cerr)
	}
	if s.ExpiresAt != 1800021600 || !s.HasRefreshToken {
		t.Fatalf("session %+v", s)
	}
	r, _ := e.loadRecord(b.Profile)
	if r.Provider.ScopeSeparator != "," || r.Provider.TokenAuthMethod != "client_secret_post" {
		t.Fatalf("the options were not stored with the sign-in: %+v", r.Provider)
	}
}

func TestProviderOptionValuesAreChecked(t *testing.T) {
	for _, p := range []api.Provider{
		{ScopeSeparator: ";"},
		{TokenAuthMethod: "private_key_jwt"},
	} {
		h := newTestHost()
		p.ClientID, p.AuthorizationEndpoint, p.TokenEndpoint = "c", "https://idp.example/a", "https://idp.example/t"
		_, err := New(h, time.Now).LoginBegin(api.LoginBeginInput{ProfileRef: api.ProfileRef{Provider: &p}, RedirectURI: "http://127.0.0.1:1/cb"})
		if err == nil || err.Code != api.CodeBadInput || !strings.Contains(err.Message, "use ") {
			t.Errorf("%+v: got %+v, want bad_input saying what to use", p, err)
		}
	}
}

// Refresh answers as each provider documents them, folded into a stored
// sign-in: what is kept, what rotates, which expiry results.
func TestRefreshAnswersOfRealProviders(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	claims := map[string]any{"sub": "alice", "iss": "https://idp.example"}
	cases := []struct {
		name, contentType, body string
		wantRefresh             string
		wantExpires             int64
		wantCode                string
	}{
		{"GitHub App, JSON", "application/json", `{"access_token":"ghu_2","expires_in":28800,"refresh_token":"ghr_2","refresh_token_expires_in":15897600,"scope":"","token_type":"bearer"}`,
			"ghr_2", now.Unix() + 28800, ""},
		{"GitHub App, form-encoded", "application/x-www-form-urlencoded", `access_token=ghu_2&expires_in=28800&refresh_token=ghr_2&refresh_token_expires_in=15897600&scope=&token_type=bearer`,
			"ghr_2", now.Unix() + 28800, ""},
		{"GitHub dead refresh token, HTTP 200", "application/json", `{"error":"bad_refresh_token","error_description":"The refresh token passed is incorrect or expired.","error_uri":"https://docs.github.com/apps"}`,
			"", 0, api.CodeLoginRequired},
		{"Google: no refresh_token, no id_token", "application/json", `{"access_token":"AT2","expires_in":3599,"scope":"openid email","token_type":"Bearer"}`,
			"RT1", now.Unix() + 3599, ""},
		{"Microsoft: expires_in as a string", "application/json", `{"token_type":"Bearer","scope":"openid profile offline_access","expires_in":"3599","ext_expires_in":"3599","access_token":"AT2","refresh_token":"RT2"}`,
			"RT2", now.Unix() + 3599, ""},
		{"GitLab: rotation, created_at", "application/json", `{"access_token":"AT2","token_type":"bearer","expires_in":7200,"refresh_token":"RT2","created_at":1800000000}`,
			"RT2", now.Unix() + 7200, ""},
		{"Strava: expires_at beside expires_in", "application/json", `{"token_type":"Bearer","access_token":"AT2","expires_at":1800003600,"expires_in":3601,"refresh_token":"RT2"}`,
			"RT2", 1800003600, ""},
		{"expires_in null", "application/json", `{"access_token":"AT2","token_type":"Bearer","expires_in":null}`,
			"RT1", 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newTestHost()
			storeRecord(t, h, &record{Provider: api.Provider{ClientID: "cli"}, Endpoints: endpoints{Issuer: "https://idp.example", Token: "https://idp.example/token"},
				Claims: claims, Token: storedToken{AccessToken: "AT1", TokenType: "Bearer", RefreshToken: "RT1", ExpiresAt: now.Unix() - 1}})
			before := h.secrets[profileKey("p")]
			h.http = func(api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
				return &api.HTTPResponse{Status: 200, Body: c.body, Headers: map[string][]string{"Content-Type": {c.contentType}}}, nil
			}
			e := New(h, func() time.Time { return now })
			got, err := e.Token(api.TokenInput{ProfileRef: api.ProfileRef{Profile: "p"}})
			if c.wantCode != "" {
				if err == nil || err.Code != c.wantCode || !strings.Contains(err.Message, "run login again") {
					t.Fatalf("got %+v, want %s saying to log in again", err, c.wantCode)
				}
				if h.secrets[profileKey("p")] != before {
					t.Fatal("a refused refresh changed the stored sign-in")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			r, _ := e.loadRecord("p")
			switch {
			case got.AccessToken == "AT1" || !got.Refreshed:
				t.Fatalf("not refreshed: %+v", got)
			case r.Token.RefreshToken != c.wantRefresh:
				t.Fatalf("stored refresh token %q, want %q", r.Token.RefreshToken, c.wantRefresh)
			case r.Token.ExpiresAt != c.wantExpires || got.ExpiresAt != c.wantExpires:
				t.Fatalf("expires at %d (result %d), want %d", r.Token.ExpiresAt, got.ExpiresAt, c.wantExpires)
			case r.Claims["sub"] != "alice":
				t.Fatalf("identity lost: %v", r.Claims)
			}
		})
	}
}

func TestCallbackIssuerWithTenantTemplate(t *testing.T) {
	const template = "https://login.example/{tenantid}/v2.0"
	for iss, ok := range map[string]bool{
		"https://login.example/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0": true,
		"https://evil.example/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0":  false,
		"https://login.example/a/b/v2.0":                                  false,
	} {
		if callbackIssuerOK(template, iss) != ok {
			t.Errorf("callbackIssuerOK(template, %q) = %v", iss, !ok)
		}
	}
	if callbackIssuerOK("https://idp.example", "https://idp.example/x") || !callbackIssuerOK("https://idp.example", "https://idp.example") {
		t.Error("a fixed issuer must match exactly")
	}
}

func TestGrantedScopesWithCommas(t *testing.T) {
	r := &record{Provider: api.Provider{ClientID: "c", Scopes: []string{"x"}}, Token: storedToken{Scope: "read:user,repo"}}
	if got := sessionOf("p", r).Scopes; len(got) != 2 || got[0] != "read:user" || got[1] != "repo" {
		t.Fatalf("scopes %q", got)
	}
	r.Token.Scope = "openid  email"
	if got := sessionOf("p", r).Scopes; len(got) != 2 || got[1] != "email" {
		t.Fatalf("scopes %q", got)
	}
}
