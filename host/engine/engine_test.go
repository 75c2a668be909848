package engine

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// scriptedHTTP answers the plugin's requests from a table: a host double
// for checking what the runtime gives the guest (clock, randomness), not a
// stand-in for an authorization server.
type scriptedHTTP struct {
	mu      sync.Mutex
	answers map[string]string // path suffix -> JSON body
}

func (s *scriptedHTTP) Do(_ context.Context, req api.HTTPRequest) api.Reply[api.HTTPResponse] {
	s.mu.Lock()
	defer s.mu.Unlock()
	if req.Method == "GET" && strings.Contains(req.URL, "response_type=code") {
		// login_begin's look at the authorization URL: accepted, to the login page.
		return api.Reply[api.HTTPResponse]{OK: &api.HTTPResponse{Status: 302, Headers: map[string][]string{"Location": {"/login"}}}}
	}
	for suffix, body := range s.answers {
		if strings.HasSuffix(strings.SplitN(req.URL, "?", 2)[0], suffix) {
			return api.Reply[api.HTTPResponse]{OK: &api.HTTPResponse{Status: 200, Body: body,
				Headers: map[string][]string{"Content-Type": {"application/json"}}}}
		}
	}
	return api.Reply[api.HTTPResponse]{OK: &api.HTTPResponse{Status: 404, Body: "{}"}}
}

type mapStore struct {
	mu sync.Mutex
	m  map[string]string
}

func (s *mapStore) Get(k string) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[k]
	return v, ok, nil
}
func (s *mapStore) Set(k, v string) error { s.mu.Lock(); defer s.mu.Unlock(); s.m[k] = v; return nil }
func (s *mapStore) Delete(k string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, k)
	return nil
}

var explicitProvider = &api.Provider{ClientID: "cli",
	AuthorizationEndpoint: "https://idp.example/auth", TokenEndpoint: "https://idp.example/token"}

func newInstance(t testing.TB, s *Services) *Instance {
	t.Helper()
	ctx := context.Background()
	rt, err := New(ctx, Options{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	inst, err := rt.Instance(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Close(ctx); rt.Close(ctx) })
	return inst
}

// Two separate runtimes must not produce the same secrets: wazero's default
// random source is deterministic, and this proves the host replaced it.
func TestGuestRandomnessDiffersAcrossRuns(t *testing.T) {
	seen := map[string]bool{}
	for run := 0; run < 2; run++ {
		inst := newInstance(t, &Services{HTTP: &scriptedHTTP{}, Secrets: &mapStore{m: map[string]string{}}})
		b, err := inst.LoginBegin(context.Background(), api.LoginBeginInput{
			ProfileRef: api.ProfileRef{Provider: explicitProvider}, RedirectURI: "http://127.0.0.1:1/callback"})
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(b.AuthorizationURL)
		for _, k := range []string{"state", "code_challenge"} {
			v := u.Query().Get(k)
			if v == "" || seen[v] {
				t.Fatalf("run %d: %s %q is empty or repeats an earlier run", run, k, v)
			}
			seen[v] = true
		}
	}
}

// The guest computes expires_at from its own clock; wazero's default clock
// is frozen in 2022, so agreement with the host proves the OS clock is wired.
func TestGuestClockMatchesHost(t *testing.T) {
	store := &mapStore{m: map[string]string{}}
	http := &scriptedHTTP{answers: map[string]string{
		"/token": `{"access_token":"at","token_type":"Bearer","expires_in":3600}`}}
	inst := newInstance(t, &Services{HTTP: http, Secrets: store})
	ctx := context.Background()
	b, err := inst.LoginBegin(ctx, api.LoginBeginInput{
		ProfileRef: api.ProfileRef{Provider: explicitProvider}, RedirectURI: "http://127.0.0.1:1/callback"})
	if err != nil {
		t.Fatal(err)
	}
	state := mustParse(t, b.AuthorizationURL).Query().Get("state")
	before := time.Now()
	if _, err := inst.LoginComplete(ctx, api.LoginCompleteInput{FlowID: b.FlowID,
		CallbackURL: "http://127.0.0.1:1/callback?code=c&state=" + url.QueryEscape(state)}); err != nil {
		t.Fatal(err)
	}
	tok, err := inst.Token(ctx, api.TokenInput{ProfileRef: api.ProfileRef{Profile: b.Profile}})
	if err != nil {
		t.Fatal(err)
	}
	guestNow := time.Unix(tok.ExpiresAt-3600, 0)
	if d := guestNow.Sub(before.Truncate(time.Second)); d < -time.Second || d > time.Second+time.Since(before) {
		t.Fatalf("guest clock %v differs from host clock %v by %v", guestNow, before, d)
	}
}

func TestFlowErrorsComeBackWithCodes(t *testing.T) {
	inst := newInstance(t, &Services{Secrets: &mapStore{m: map[string]string{}}})
	_, err := inst.Token(context.Background(), api.TokenInput{ProfileRef: api.ProfileRef{Profile: "nobody"}})
	fe, ok := err.(*api.Error)
	if !ok || fe.Code != api.CodeLoginRequired || !strings.Contains(fe.Message, "run login") {
		t.Fatalf("got %#v", err)
	}
}

func mustParse(t testing.TB, raw string) *url.URL {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
