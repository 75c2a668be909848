package flow

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// signedIn stores profile "p" with both tokens, a confidential client and
// the given revocation endpoint, as the default profile.
func signedIn(t *testing.T, h *testHost, revocation string) {
	storeRecord(t, h, &record{Provider: api.Provider{ClientID: "cli"}, ClientSecret: "sec",
		Endpoints: endpoints{Token: "https://idp.example/token", Revocation: revocation},
		Token:     storedToken{AccessToken: "AT-secret", TokenType: "Bearer", RefreshToken: "RT-secret"}})
	h.secrets[defaultProfileKey] = "p"
}

func logout(t *testing.T, h *testHost) *api.LogoutResult {
	t.Helper()
	res, err := New(h, time.Now).Logout(api.ProfileRef{Profile: "p"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := h.secrets[profileKey("p")]; ok || !res.Removed {
		t.Fatal("local state must be deleted whatever the server said")
	}
	if _, ok := h.secrets[defaultProfileKey]; ok {
		t.Fatal("the default profile still points at the deleted one")
	}
	if strings.Contains(res.RevocationNote, "AT-secret") || strings.Contains(res.RevocationNote, "RT-secret") {
		t.Fatalf("the note carries a token: %q", res.RevocationNote)
	}
	return res
}

func TestLogoutRevokesRefreshThenAccessToken(t *testing.T) {
	h := newTestHost()
	signedIn(t, h, "https://idp.example/revoke")
	var forms []url.Values
	h.http = func(r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		if r.URL != "https://idp.example/revoke" || r.Method != "POST" || len(r.Headers["Authorization"]) != 1 {
			t.Errorf("request %s %s %v", r.Method, r.URL, r.Headers)
		}
		f, _ := url.ParseQuery(r.Body)
		forms = append(forms, f)
		return &api.HTTPResponse{Status: 200, Headers: map[string][]string{}}, nil // RFC 7009: empty 200
	}
	res := logout(t, h)
	if strings.Join(res.Revoked, ",") != "refresh_token,access_token" || res.RevocationNote != "" {
		t.Fatalf("result %+v", res)
	}
	if len(forms) != 2 || forms[0].Get("token") != "RT-secret" || forms[0].Get("token_type_hint") != "refresh_token" ||
		forms[1].Get("token") != "AT-secret" || forms[1].Get("token_type_hint") != "access_token" {
		t.Fatalf("forms %v", forms)
	}
}

func TestLogoutWithoutRevocationEndpoint(t *testing.T) {
	h := newTestHost()
	signedIn(t, h, "")
	h.http = func(api.HTTPRequest) (*api.HTTPResponse, *api.Error) { t.Fatal("no request expected"); return nil, nil }
	if res := logout(t, h); len(res.Revoked) != 0 || res.RevocationNote != NoRevocationEndpoint {
		t.Fatalf("result %+v", res)
	}
}

func TestLogoutWhenRevocationFails(t *testing.T) {
	cases := []struct {
		name     string
		answers  []func() (*api.HTTPResponse, *api.Error)
		requests int
		revoked  string
		note     string
	}{
		{"refused", []func() (*api.HTTPResponse, *api.Error){
			func() (*api.HTTPResponse, *api.Error) {
				return jsonResponse(401, `{"error":"invalid_client","error_description":"bad secret"}`)
			},
			func() (*api.HTTPResponse, *api.Error) { return jsonResponse(401, `{"error":"invalid_client"}`) },
		}, 2, "", "revocation failed (the server refused: invalid_client (bad secret); the server refused: invalid_client)"},
		{"the same refusal twice is said once", []func() (*api.HTTPResponse, *api.Error){
			func() (*api.HTTPResponse, *api.Error) { return jsonResponse(401, `{"error":"invalid_client"}`) },
			func() (*api.HTTPResponse, *api.Error) { return jsonResponse(401, `{"error":"invalid_client"}`) },
		}, 2, "", "revocation failed (the server refused: invalid_client)"},
		{"unreachable: one attempt only", []func() (*api.HTTPResponse, *api.Error){
			func() (*api.HTTPResponse, *api.Error) {
				return nil, &api.Error{Code: api.HostConnect, Message: "failed connecting to https://idp.example: connection refused"}
			},
		}, 1, "", "revocation failed (the revocation endpoint could not be reached: failed connecting to https://idp.example: connection refused)"},
		{"access token refused with 503", []func() (*api.HTTPResponse, *api.Error){
			func() (*api.HTTPResponse, *api.Error) { return &api.HTTPResponse{Status: 200}, nil },
			func() (*api.HTTPResponse, *api.Error) {
				return &api.HTTPResponse{Status: 503, Body: "<html>down</html>", Headers: map[string][]string{"Content-Type": {"text/html"}}}, nil
			},
		}, 2, "refresh_token", "revocation of the access token failed (the server answered HTTP 503 with an HTML page)"},
		{"unsupported_token_type", []func() (*api.HTTPResponse, *api.Error){
			func() (*api.HTTPResponse, *api.Error) { return &api.HTTPResponse{Status: 200}, nil },
			func() (*api.HTTPResponse, *api.Error) { return jsonResponse(400, `{"error":"unsupported_token_type"}`) },
		}, 2, "refresh_token", "revocation of the access token failed (the server refused: unsupported_token_type)"},
		{"204 is not RFC 7009's 200", []func() (*api.HTTPResponse, *api.Error){
			func() (*api.HTTPResponse, *api.Error) { return &api.HTTPResponse{Status: 204}, nil },
			func() (*api.HTTPResponse, *api.Error) { return &api.HTTPResponse{Status: 200}, nil },
		}, 2, "access_token", "revocation of the refresh token failed (the server answered HTTP 204 instead of 200)"},
		{"a token echoed by the server is not repeated", []func() (*api.HTTPResponse, *api.Error){
			func() (*api.HTTPResponse, *api.Error) {
				return jsonResponse(400, `{"error":"invalid_request","error_description":"unknown RT-secret"}`)
			},
			func() (*api.HTTPResponse, *api.Error) { return &api.HTTPResponse{Status: 200}, nil },
		}, 2, "access_token", "revocation of the refresh token failed (the server refused: invalid_request (unknown [token]))"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newTestHost()
			signedIn(t, h, "https://idp.example/revoke")
			n := 0
			h.http = func(api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
				n++
				return c.answers[n-1]()
			}
			res := logout(t, h)
			if n != c.requests || strings.Join(res.Revoked, ",") != c.revoked || res.RevocationNote != c.note {
				t.Fatalf("%d requests, revoked %v, note %q", n, res.Revoked, res.RevocationNote)
			}
		})
	}
}

func TestLogoutOfUnreadableRecordStillDeletes(t *testing.T) {
	h := newTestHost()
	h.secrets[profileKey("p")] = "{not json"
	h.secrets[defaultProfileKey] = "p"
	res := logout(t, h)
	if !strings.Contains(res.RevocationNote, "unreadable") {
		t.Fatalf("note %q", res.RevocationNote)
	}
}

func TestLogoutOfNothingStored(t *testing.T) {
	h := newTestHost()
	res, err := New(h, time.Now).Logout(api.ProfileRef{Profile: "p"})
	if err != nil || res.Removed || res.RevocationNote != "" || len(res.Revoked) != 0 {
		t.Fatalf("got %+v %v", res, err)
	}
}
