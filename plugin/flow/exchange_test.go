package flow

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/internal/jsonv"
)

var exchangeNow = time.Unix(1_800_000_000, 0)

// exchangeSetup stores the exchanging client "web" (confidential) and the
// subject profile "user" (a signed-in user with all three tokens).
func exchangeSetup(t *testing.T, secret string) *testHost {
	h := newTestHost()
	storeRecord(t, h, &record{Provider: api.Provider{ClientID: "web"}, ClientSecret: secret,
		Endpoints: endpoints{Token: "https://idp.example/token"},
		Token:     storedToken{AccessToken: "WEB-AT", TokenType: "Bearer"}})
	h.secrets[profileKey("web")] = h.secrets[profileKey("p")]
	storeRecord(t, h, &record{Provider: api.Provider{ClientID: "native"}, Endpoints: endpoints{Token: "https://idp.example/token"},
		Claims: map[string]any{"sub": "alice", "exp": jsonv.Number("1800003600")},
		Token: storedToken{AccessToken: "USER-AT", TokenType: "Bearer", RefreshToken: "USER-RT", IDToken: "USER-ID",
			ExpiresAt: exchangeNow.Add(time.Hour).Unix()}})
	h.secrets[profileKey("user")] = h.secrets[profileKey("p")]
	delete(h.secrets, profileKey("p"))
	return h
}

func exchange(h *testHost, in api.TokenExchangeInput) (*api.TokenExchangeResult, *api.Error) {
	in.ProfileRef = api.ProfileRef{Profile: "web"}
	return New(h, func() time.Time { return exchangeNow }).TokenExchange(in)
}

func TestTokenExchangeRequestAndResult(t *testing.T) {
	h := exchangeSetup(t, "websecret")
	var form url.Values
	h.http = func(r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		form, _ = url.ParseQuery(r.Body)
		if len(r.Headers["Authorization"]) != 1 || !strings.HasPrefix(r.Headers["Authorization"][0], "Basic ") {
			t.Errorf("the exchanging client must authenticate: %v", r.Headers)
		}
		return jsonResponse(200, `{"access_token":"NEW","issued_token_type":"urn:ietf:params:oauth:token-type:access_token",
			"token_type":"Bearer","expires_in":300,"scope":"read","refresh_token":"ignored"}`)
	}
	before := len(h.secrets)
	got, err := exchange(h, api.TokenExchangeInput{SubjectToken: "GIVEN", Audience: []string{"a", "b"},
		Resource: []string{"https://api.example/x", "urn:example:thing"}, Scopes: []string{"read", "write"}, RequestedTokenType: "jwt"})
	if err != nil {
		t.Fatal(err)
	}
	want := url.Values{"grant_type": {grantTokenExchange}, "subject_token": {"GIVEN"}, "subject_token_type": {typeAccessToken},
		"audience": {"a", "b"}, "resource": {"https://api.example/x", "urn:example:thing"}, "scope": {"read write"},
		"requested_token_type": {"urn:ietf:params:oauth:token-type:jwt"}}
	for k, v := range want {
		if !slices.Equal(form[k], v) {
			t.Errorf("%s = %v, want %v", k, form[k], v)
		}
	}
	if got.AccessToken != "NEW" || got.IssuedTokenType != typeAccessToken || got.TokenType != "Bearer" ||
		got.Scope != "read" || got.ExpiresAt != exchangeNow.Unix()+300 {
		t.Fatalf("result %+v", got)
	}
	if len(h.secrets) != before {
		t.Fatal("an exchanged token must not be stored")
	}
}

// A subject profile gives the token of the asked type: its valid access
// token, its refresh token or its ID token (renewed when expired).
func TestTokenExchangeSubjectFromProfile(t *testing.T) {
	cases := []struct {
		typ, want string
		expired   bool
	}{
		{"", "USER-AT", false},
		{"refresh_token", "USER-RT", false},
		{typeIDToken, "USER-ID", false},
		{"access_token", "USER-AT2", true},
	}
	for _, c := range cases {
		t.Run(c.typ+c.want, func(t *testing.T) {
			h := exchangeSetup(t, "websecret")
			if c.expired {
				r, _ := New(h, time.Now).loadRecord("user")
				r.Token.ExpiresAt = exchangeNow.Unix() - 1
				New(h, time.Now).saveRecord("user", r)
			}
			var subject string
			h.http = func(r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
				f, _ := url.ParseQuery(r.Body)
				if f.Get("grant_type") == "refresh_token" {
					return jsonResponse(200, `{"access_token":"USER-AT2","token_type":"Bearer","expires_in":3600}`)
				}
				subject = f.Get("subject_token")
				return jsonResponse(200, `{"access_token":"NEW","issued_token_type":"urn:ietf:params:oauth:token-type:access_token","token_type":"Bearer"}`)
			}
			if _, err := exchange(h, api.TokenExchangeInput{SubjectProfile: "user", SubjectTokenType: c.typ}); err != nil {
				t.Fatal(err)
			}
			if subject != c.want {
				t.Fatalf("subject %q, want %q", subject, c.want)
			}
		})
	}
}

func TestTokenExchangeRenewsExpiredIDToken(t *testing.T) {
	h := exchangeSetup(t, "websecret")
	r, _ := New(h, time.Now).loadRecord("user")
	r.Claims["exp"] = jsonv.Number("1799999990")
	New(h, time.Now).saveRecord("user", r)
	refreshed := false
	h.http = func(r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		if f, _ := url.ParseQuery(r.Body); f.Get("grant_type") == "refresh_token" {
			refreshed = true
			// No new ID token (allowed by RFC 6749 6): the old one is sent.
			return jsonResponse(200, `{"access_token":"USER-AT2","token_type":"Bearer","expires_in":3600}`)
		}
		return jsonResponse(200, `{"access_token":"NEW","issued_token_type":"urn:ietf:params:oauth:token-type:access_token"}`)
	}
	if _, err := exchange(h, api.TokenExchangeInput{SubjectProfile: "user", SubjectTokenType: "id_token"}); err != nil || !refreshed {
		t.Fatalf("refreshed=%v err=%v", refreshed, err)
	}
}

func TestTokenExchangeErrors(t *testing.T) {
	ok := func(api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		return jsonResponse(200, `{"access_token":"NEW","issued_token_type":"urn:ietf:params:oauth:token-type:access_token"}`)
	}
	cases := []struct {
		name   string
		secret string
		in     api.TokenExchangeInput
		answer func(api.HTTPRequest) (*api.HTTPResponse, *api.Error)
		code   string
		want   string
	}{
		{"no subject", "s", api.TokenExchangeInput{}, ok, api.CodeBadInput, "needs a subject"},
		{"two subjects", "s", api.TokenExchangeInput{SubjectToken: "x", SubjectProfile: "user"}, ok, api.CodeBadInput, "not both"},
		{"public client", "", api.TokenExchangeInput{SubjectToken: "x"}, ok, api.CodeBadInput, "needs a confidential client"},
		{"bad type", "s", api.TokenExchangeInput{SubjectToken: "x", SubjectTokenType: "opaque"}, ok, api.CodeBadInput,
			`subject token type "opaque" is neither a URI nor one of`},
		{"bad requested type", "s", api.TokenExchangeInput{SubjectToken: "x", RequestedTokenType: "pat"}, ok, api.CodeBadInput,
			`requested token type "pat"`},
		{"resource with fragment", "s", api.TokenExchangeInput{SubjectToken: "x", Resource: []string{"https://api.example/#x"}}, ok,
			api.CodeBadInput, "absolute URI without a fragment"},
		{"relative resource", "s", api.TokenExchangeInput{SubjectToken: "x", Resource: []string{"/api"}}, ok,
			api.CodeBadInput, "absolute URI without a fragment"},
		{"profile type without a token", "s", api.TokenExchangeInput{SubjectProfile: "user", SubjectTokenType: "saml2"}, ok,
			api.CodeBadInput, "pass a token of type urn:ietf:params:oauth:token-type:saml2 on stdin"},
		{"unknown subject profile", "s", api.TokenExchangeInput{SubjectProfile: "nobody"}, ok, api.CodeLoginRequired, `no sign-in is stored for profile "nobody"`},
		{"no issued_token_type", "s", api.TokenExchangeInput{SubjectToken: "x"}, func(api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
			return jsonResponse(200, `{"access_token":"NEW","token_type":"Bearer"}`)
		}, api.CodeInvalidResp, "no issued_token_type, which RFC 8693 2.2.1 requires"},
		{"empty access_token", "s", api.TokenExchangeInput{SubjectToken: "x"}, func(api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
			return jsonResponse(200, `{"access_token":"","issued_token_type":"urn:ietf:params:oauth:token-type:jwt"}`)
		}, api.CodeInvalidResp, "exchanging the token: invalid token response: the response has no access_token"},
		{"refused", "s", api.TokenExchangeInput{SubjectToken: "x"}, func(api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
			return jsonResponse(400, `{"error":"invalid_request","error_description":"subject_token is invalid"}`)
		}, api.CodeServer, "exchanging the token: the server refused: invalid_request (subject_token is invalid)"},
		{"network", "s", api.TokenExchangeInput{SubjectToken: "x"}, func(api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
			return nil, &api.Error{Code: api.HostConnect, Message: "failed connecting to https://idp.example: EOF"}
		}, api.CodeTransient, "exchanging the token: failed connecting to https://idp.example: EOF"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := exchangeSetup(t, c.secret)
			h.http = c.answer
			_, err := exchange(h, c.in)
			if err == nil || err.Code != c.code || !strings.Contains(err.Message, c.want) {
				t.Fatalf("got %+v, want %s with %q", err, c.code, c.want)
			}
		})
	}
}

func TestTokenExchangeSubjectProfileWithoutTokens(t *testing.T) {
	h := exchangeSetup(t, "s")
	r, _ := New(h, time.Now).loadRecord("user")
	r.Token.RefreshToken, r.Token.IDToken = "", ""
	New(h, time.Now).saveRecord("user", r)
	h.http = func(api.HTTPRequest) (*api.HTTPResponse, *api.Error) { t.Fatal("no request expected"); return nil, nil }
	for typ, want := range map[string]string{"refresh_token": "holds no refresh token", "id_token": "holds no ID token"} {
		if _, err := exchange(h, api.TokenExchangeInput{SubjectProfile: "user", SubjectTokenType: typ}); err == nil ||
			err.Code != api.CodeBadInput || !strings.Contains(err.Message, want) {
			t.Errorf("%s: %+v", typ, err)
		}
	}
}
