package flow

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

func servedEntry(t *testing.T, h *testHost, profile string) *api.ServedToken {
	t.Helper()
	raw, ok := h.secrets[api.ServedKey(profile)]
	if !ok {
		return nil
	}
	var s api.ServedToken
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		t.Fatalf("served entry is not JSON: %v", err)
	}
	return &s
}

// A refresh publishes the new token with the deadline `token` itself
// applies, so a host's fast path serves exactly what the export would.
func TestRefreshPublishesServedToken(t *testing.T) {
	h := newTestHost()
	now := time.Unix(1_800_000_000, 0)
	storeRecord(t, h, &record{Provider: api.Provider{ClientID: "cli"}, Endpoints: endpoints{Token: "https://idp.example/token"},
		Token: storedToken{AccessToken: "AT", TokenType: "Bearer", RefreshToken: "RT", ExpiresAt: now.Unix() - 1}})
	h.http = func(api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		return jsonResponse(200, `{"access_token":"AT2","token_type":"Bearer","expires_in":600,"refresh_token":"RT2"}`)
	}
	e := New(h, func() time.Time { return now })
	if _, err := e.Token(api.TokenInput{ProfileRef: api.ProfileRef{Profile: "p"}}); err != nil {
		t.Fatal(err)
	}
	s := servedEntry(t, h, "p")
	want := api.ServedToken{Profile: "p", AccessToken: "AT2", TokenType: "Bearer",
		ExpiresAt: now.Unix() + 600, ServeUntil: now.Unix() + 600 - int64(AccessTokenSkew/time.Second)}
	if s == nil || *s != want {
		t.Fatalf("served %+v, want %+v", s, want)
	}
	if raw := h.secrets[api.ServedKey("p")]; strings.Contains(raw, "RT2") {
		t.Fatal("the served entry holds the refresh token")
	}
	// The deadline agrees with fresh(): servable one second before it, not at it.
	for _, c := range []struct {
		at   int64
		want bool
	}{{want.ServeUntil - 1, true}, {want.ServeUntil, false}} {
		at := time.Unix(c.at, 0)
		if got := s.Servable("p", c.at); got != c.want || New(h, func() time.Time { return at }).fresh(want.ExpiresAt) != c.want {
			t.Fatalf("at %d: servable %v, fresh %v, want %v", c.at, got, !c.want, c.want)
		}
	}
	if s.Servable("other", want.ServeUntil-1) {
		t.Fatal("a served entry answered for another profile")
	}
}

// Tokens without a known expiry, and those already inside the skew, are
// not published: only the export, which can refresh, serves them.
func TestUnpublishableTokens(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	for name, exp := range map[string]int64{"no expiry": 0, "inside skew": now.Unix() + 10} {
		h := newTestHost()
		h.secrets[api.ServedKey("p")] = `{"profile":"p","access_token":"OLD","token_type":"Bearer","serve_until":1900000000}`
		e := New(h, func() time.Time { return now })
		if err := e.saveRecord("p", &record{Token: storedToken{AccessToken: "AT", ExpiresAt: exp}}); err != nil {
			t.Fatal(err)
		}
		if s := servedEntry(t, h, "p"); s != nil {
			t.Fatalf("%s: published %+v", name, s)
		}
	}
}

// The served copy is removed before the record changes, so a failed write
// never leaves an older token (perhaps another user's) to be served.
func TestServedEntryRemovedBeforeRecordWrite(t *testing.T) {
	h := &orderHost{testHost: newTestHost()}
	e := New(h, time.Now)
	if err := e.saveRecord("p", &record{Token: storedToken{AccessToken: "AT", ExpiresAt: time.Now().Add(time.Hour).Unix()}}); err != nil {
		t.Fatal(err)
	}
	want := []string{"delete served/p", "set profile/p", "set served/p"}
	if len(h.ops) != len(want) {
		t.Fatalf("ops %v, want %v", h.ops, want)
	}
	for i := range want {
		if h.ops[i] != want[i] {
			t.Fatalf("ops %v, want %v", h.ops, want)
		}
	}
}

func TestLogoutRemovesServedToken(t *testing.T) {
	h := newTestHost()
	storeRecord(t, h, &record{Provider: api.Provider{ClientID: "cli"}, Token: storedToken{AccessToken: "AT", ExpiresAt: time.Now().Add(time.Hour).Unix()}})
	h.secrets[api.ServedKey("p")] = `{"profile":"p","access_token":"AT","token_type":"Bearer","serve_until":1900000000}`
	if _, err := New(h, time.Now).Logout(api.ProfileRef{Profile: "p"}); err != nil {
		t.Fatal(err)
	}
	if _, ok := h.secrets[api.ServedKey("p")]; ok {
		t.Fatal("logout left the served token behind")
	}
}

type orderHost struct {
	*testHost
	ops []string
}

func (h *orderHost) SecretSet(k, v string) *api.Error {
	h.ops = append(h.ops, "set "+k)
	return h.testHost.SecretSet(k, v)
}

func (h *orderHost) SecretDelete(k string) *api.Error {
	h.ops = append(h.ops, "delete "+k)
	return h.testHost.SecretDelete(k)
}
