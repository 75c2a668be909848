package flow

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// deviceServer scripts an authorization server for the device flow: its
// discovery document, device authorization answer and a queue of token
// endpoint answers. A unit-layer double; the end-to-end tests use zitadel's
// OP and Dex.
type deviceServer struct {
	t         *testing.T
	discovery string
	device    func() (*api.HTTPResponse, *api.Error)
	polls     []func() (*api.HTTPResponse, *api.Error)
	key       *rsa.PrivateKey
	fetches   map[string]int
}

const deviceDiscovery = `{"issuer":"https://idp.example","authorization_endpoint":"https://idp.example/auth",
"token_endpoint":"https://idp.example/token","jwks_uri":"https://idp.example/keys",
"device_authorization_endpoint":"https://idp.example/device/code",
"scopes_supported":["openid","offline_access"],"code_challenge_methods_supported":["S256"]}`

// signingKey is shared: RSA key generation dominates these tests' time.
var signingKey = sync.OnceValue(func() *rsa.PrivateKey {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return key
})

func newDeviceServer(t *testing.T) *deviceServer {
	return &deviceServer{t: t, discovery: deviceDiscovery, key: signingKey(), fetches: map[string]int{},
		device: func() (*api.HTTPResponse, *api.Error) {
			return jsonResponse(200, `{"device_code":"DEVICE-SECRET","user_code":"ABCD-EFGH",
"verification_uri":"https://idp.example/device","verification_uri_complete":"https://idp.example/device?user_code=ABCD-EFGH",
"expires_in":600,"interval":5}`)
		}}
}

func (s *deviceServer) serve(r api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
	path := strings.TrimPrefix(r.URL, testIssuer)
	s.fetches[path]++
	switch path {
	case "/.well-known/openid-configuration":
		return jsonResponse(200, s.discovery)
	case "/keys":
		n := base64.RawURLEncoding.EncodeToString(s.key.N.Bytes())
		e := base64.RawURLEncoding.EncodeToString(big.NewInt(int64(s.key.E)).Bytes())
		return jsonResponse(200, `{"keys":[{"kty":"RSA","kid":"k1","alg":"RS256","use":"sig","n":"`+n+`","e":"`+e+`"}]}`)
	case "/device/code":
		return s.device()
	case "/token":
		if len(s.polls) == 0 {
			s.t.Fatalf("unexpected poll: %s", r.Body)
		}
		next := s.polls[0]
		s.polls = s.polls[1:]
		return next()
	}
	return jsonResponse(404, `{}`)
}

// idToken signs an RS256 ID token for the client, without a nonce: the
// device flow has none.
func (s *deviceServer) idToken(claims map[string]any) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	input := enc(map[string]string{"alg": "RS256", "kid": "k1", "typ": "JWT"}) + "." + enc(claims)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.key, crypto.SHA256, sum[:])
	if err != nil {
		s.t.Fatal(err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func oauthError(code string) func() (*api.HTTPResponse, *api.Error) {
	return func() (*api.HTTPResponse, *api.Error) { return jsonResponse(400, `{"error":"`+code+`"}`) }
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// wait moves the clock as a host obeying the plugin would wait.
func (c *clock) wait(seconds int) { c.t = c.t.Add(time.Duration(seconds) * time.Second) }

func newDeviceEngine(t *testing.T) (*Engine, *testHost, *deviceServer, *clock) {
	h := newTestHost()
	s := newDeviceServer(t)
	h.http = s.serve
	c := &clock{t: time.Unix(1_800_000_000, 0)}
	return New(h, c.now), h, s, c
}

var deviceProvider = &api.Provider{Issuer: testIssuer, ClientID: "cli"}

func beginDevice(t *testing.T, e *Engine, p *api.Provider, open bool) *api.DeviceBegun {
	t.Helper()
	b, err := e.DeviceBegin(api.DeviceBeginInput{ProfileRef: api.ProfileRef{Provider: p}, OpenBrowser: open})
	if err != nil {
		t.Fatalf("DeviceBegin: %v", err)
	}
	return b
}

func TestDeviceBeginAsksForACodeAndShowsIt(t *testing.T) {
	e, h, _, _ := newDeviceEngine(t)
	b := beginDevice(t, e, deviceProvider, true)
	if b.UserCode != "ABCD-EFGH" || b.VerificationURI != "https://idp.example/device" || b.ExpiresIn != 600 ||
		b.Interval != 5 || !b.BrowserOpened || b.Profile != "idp.example#cli" || b.FlowID == "" {
		t.Fatalf("begun %+v", b)
	}
	// The device code turns into tokens: it stays in the plugin.
	if out, _ := json.Marshal(b); strings.Contains(string(out), "DEVICE-SECRET") {
		t.Fatalf("the device code reached the host: %s", out)
	}
	req := h.requests[len(h.requests)-1]
	form, _ := url.ParseQuery(req.Body)
	if req.URL != "https://idp.example/device/code" || form.Get("client_id") != "cli" ||
		form.Get("scope") != "openid offline_access" || form.Has("client_secret") {
		t.Fatalf("device authorization request %s %v", req.URL, form)
	}
	if len(h.opened) != 1 || h.opened[0] != "https://idp.example/device?user_code=ABCD-EFGH" {
		t.Fatalf("opened %v, want verification_uri_complete", h.opened)
	}
	if !strings.Contains(strings.Join(h.notes, "\n"), "\n  Code: ABCD-EFGH\n") {
		t.Fatalf("the user was not shown the code on its own line: %q", h.notes)
	}
}

// Google sends verification_url and no interval; Microsoft sends numbers as
// strings. Without verification_uri_complete the browser gets the plain URI.
func TestDeviceBeginNonStandardAnswers(t *testing.T) {
	e, h, s, _ := newDeviceEngine(t)
	s.device = func() (*api.HTTPResponse, *api.Error) {
		return jsonResponse(200, `{"device_code":"D","user_code":"WXYZ","verification_url":"https://www.google.com/device","expires_in":"1800"}`)
	}
	b := beginDevice(t, e, deviceProvider, true)
	if b.VerificationURI != "https://www.google.com/device" || b.VerificationURIComplete != "" ||
		b.Interval != 5 || b.ExpiresIn != 1800 {
		t.Fatalf("begun %+v", b)
	}
	if len(h.opened) != 1 || h.opened[0] != "https://www.google.com/device" {
		t.Fatalf("opened %v", h.opened)
	}
	// Not asked to open a browser: nothing is opened.
	h.opened = nil
	beginDevice(t, e, deviceProvider, false)
	if len(h.opened) != 0 {
		t.Fatalf("opened %v without open_browser", h.opened)
	}
}

// A confidential client's secret goes in the body of the device request
// (Dex reads it only there) and by Basic auth to the token endpoint.
func TestDeviceConfidentialClient(t *testing.T) {
	e, h, s, c := newDeviceEngine(t)
	p := &api.Provider{Issuer: testIssuer, ClientID: "web", ClientSecret: "s3cret", Scopes: []string{"profile"}}
	b := beginDevice(t, e, p, false)
	c.wait(b.Interval)
	dev := h.requests[len(h.requests)-1]
	form, _ := url.ParseQuery(dev.Body)
	if form.Get("client_secret") != "s3cret" || form.Get("client_id") != "web" || dev.Headers["Authorization"] != nil {
		t.Fatalf("device request %v %v", form, dev.Headers)
	}
	s.polls = append(s.polls, oauthError("authorization_pending"))
	if _, err := e.DevicePoll(api.DevicePollInput{FlowID: b.FlowID}); err != nil {
		t.Fatal(err)
	}
	poll := h.requests[len(h.requests)-1]
	form, _ = url.ParseQuery(poll.Body)
	if auth := poll.Headers["Authorization"]; len(auth) != 1 || !strings.HasPrefix(auth[0], "Basic ") ||
		form.Get("device_code") != "DEVICE-SECRET" ||
		form.Get("grant_type") != "urn:ietf:params:oauth:grant-type:device_code" {
		t.Fatalf("poll %v %v", form, poll.Headers)
	}
}

func TestDeviceBeginFailures(t *testing.T) {
	cases := []struct {
		name     string
		provider *api.Provider
		disc     string
		answer   func() (*api.HTTPResponse, *api.Error)
		code     string
		want     string
	}{
		{"no client id", &api.Provider{Issuer: testIssuer}, "", nil, api.CodeBadInput, "needs a client id"},
		{"server without device endpoint", deviceProvider, discoveryDoc, nil, api.CodeBadInput,
			"https://idp.example does not offer it (its discovery document names no device_authorization_endpoint); sign in with the browser flow instead"},
		{"explicit endpoints without device endpoint",
			&api.Provider{ClientID: "cli", AuthorizationEndpoint: "https://idp.example/auth", TokenEndpoint: "https://idp.example/token"},
			"", nil, api.CodeBadInput, "the configured endpoints include no device authorization endpoint"},
		{"plain http device endpoint", &api.Provider{ClientID: "cli", TokenEndpoint: "https://idp.example/token",
			DeviceAuthorizationEndpoint: "http://idp.example/device/code"}, "", nil, api.CodeBadInput, "must use https"},
		{"client refused", deviceProvider, "", oauthError("unauthorized_client"), api.CodeServer,
			"the server refused: unauthorized_client; this client may not be allowed to use the device flow, sign in with the browser flow instead"},
		{"server down", deviceProvider, "", func() (*api.HTTPResponse, *api.Error) {
			return &api.HTTPResponse{Status: 503, Body: "<html>busy</html>", Headers: map[string][]string{"Content-Type": {"text/html"}}}, nil
		}, api.CodeTransient, "try again later"},
		{"network", deviceProvider, "", func() (*api.HTTPResponse, *api.Error) {
			return nil, &api.Error{Code: api.HostConnect, Message: "connection refused"}
		}, api.CodeTransient, "check your network"},
		{"no user code", deviceProvider, "", func() (*api.HTTPResponse, *api.Error) {
			return jsonResponse(200, `{"device_code":"D","verification_uri":"https://idp.example/device"}`)
		}, api.CodeInvalidResp, "the server sent no user_code"},
		{"no device code", deviceProvider, "", func() (*api.HTTPResponse, *api.Error) {
			return jsonResponse(200, `{"user_code":"U","verification_uri":"https://idp.example/device"}`)
		}, api.CodeInvalidResp, "the server sent no device_code"},
		{"no verification uri", deviceProvider, "", func() (*api.HTTPResponse, *api.Error) {
			return jsonResponse(200, `{"device_code":"D","user_code":"U"}`)
		}, api.CodeInvalidResp, "the server sent no verification_uri"},
		{"script verification uri", deviceProvider, "", func() (*api.HTTPResponse, *api.Error) {
			return jsonResponse(200, `{"device_code":"D","user_code":"U","verification_uri":"javascript:alert(1)"}`)
		}, api.CodeInvalidResp, "verification_uri is not an absolute URL"},
		{"bad interval", deviceProvider, "", func() (*api.HTTPResponse, *api.Error) {
			return jsonResponse(200, `{"device_code":"D","user_code":"U","verification_uri":"https://idp.example/d","interval":"soon"}`)
		}, api.CodeInvalidResp, "interval is not a positive number of seconds"},
		{"not JSON", deviceProvider, "", func() (*api.HTTPResponse, *api.Error) {
			return jsonResponse(200, `device_code=D`)
		}, api.CodeInvalidResp, "is not a device authorization response"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, h, s, _ := newDeviceEngine(t)
			if c.disc != "" {
				s.discovery = c.disc
			}
			if c.answer != nil {
				s.device = c.answer
			}
			_, err := e.DeviceBegin(api.DeviceBeginInput{ProfileRef: api.ProfileRef{Provider: c.provider}})
			if err == nil || err.Code != c.code || !strings.Contains(err.Message, c.want) {
				t.Fatalf("got %+v, want %s containing %q", err, c.code, c.want)
			}
			if len(e.devices) != 0 {
				t.Fatal("a failed begin left a flow behind")
			}
			for _, n := range h.notes {
				if strings.Contains(n, "Code:") {
					t.Fatalf("a code was shown for a failed begin: %q", n)
				}
			}
		})
	}
}

// Without discovery: a token URL and a device URL are enough (GitHub).
func TestDeviceExplicitEndpoints(t *testing.T) {
	e, h, s, c := newDeviceEngine(t)
	p := &api.Provider{ClientID: "cli", TokenEndpoint: "https://idp.example/token",
		DeviceAuthorizationEndpoint: "https://idp.example/device/code", Scopes: []string{"read:user"}}
	b := beginDevice(t, e, p, false)
	if s.fetches["/.well-known/openid-configuration"] != 0 {
		t.Fatal("discovery was fetched although the endpoints were given")
	}
	// GitHub reports errors with HTTP 200 and answers form-encoded tokens.
	s.polls = append(s.polls, func() (*api.HTTPResponse, *api.Error) {
		return jsonResponse(200, `{"error":"authorization_pending"}`)
	}, func() (*api.HTTPResponse, *api.Error) {
		return &api.HTTPResponse{Status: 200, Body: "access_token=gho_x&scope=read%3Auser&token_type=bearer",
			Headers: map[string][]string{"Content-Type": {"application/x-www-form-urlencoded"}}}, nil
	})
	c.wait(b.Interval)
	got, err := e.DevicePoll(api.DevicePollInput{FlowID: b.FlowID})
	if err != nil || got.Status != "pending" {
		t.Fatalf("poll 1: %+v %v", got, err)
	}
	c.wait(got.WaitSeconds)
	got, err = e.DevicePoll(api.DevicePollInput{FlowID: b.FlowID})
	if err != nil || got.Status != "signed_in" || got.Session.Scopes[0] != "read:user" {
		t.Fatalf("poll 2: %+v %v", got, err)
	}
	if r, _ := e.loadRecord(b.Profile); r.Token.AccessToken != "gho_x" || h.secrets[defaultProfileKey] != b.Profile {
		t.Fatalf("stored %+v", r)
	}
}

// The decisions of RFC 8628 3.5 in order: pending, slow_down (+5 s for
// this and every later poll), then success with an ID token that has no
// nonce, stored like a browser sign-in; the flow is then forgotten.
func TestDevicePollDecisions(t *testing.T) {
	e, h, s, c := newDeviceEngine(t)
	b := beginDevice(t, e, deviceProvider, false)
	wait, waited := b.Interval, 0
	poll := func() (*api.DevicePoll, *api.Error) {
		c.wait(wait)
		waited += wait
		p, err := e.DevicePoll(api.DevicePollInput{FlowID: b.FlowID})
		if p != nil {
			wait = p.WaitSeconds
		}
		return p, err
	}
	idt := s.idToken(map[string]any{"iss": testIssuer, "aud": "cli", "sub": "alice", "email": "a@example",
		"iat": c.t.Unix(), "exp": c.t.Add(time.Hour).Unix()})
	s.polls = append(s.polls, oauthError("authorization_pending"), oauthError("slow_down"),
		oauthError("authorization_pending"), oauthError("slow_down"),
		func() (*api.HTTPResponse, *api.Error) {
			return jsonResponse(200, `{"access_token":"AT","token_type":"Bearer","expires_in":3600,"refresh_token":"RT","id_token":"`+idt+`"}`)
		})
	for i, want := range []struct {
		status string
		wait   int
	}{{"pending", 5}, {"slow_down", 10}, {"pending", 10}, {"slow_down", 15}} {
		got, err := poll()
		if err != nil || got.Status != want.status || got.WaitSeconds != want.wait || got.ExpiresIn != 600-waited {
			t.Fatalf("poll %d: %+v %v, want %s wait %d", i+1, got, err, want.status, want.wait)
		}
		if want.status == "slow_down" && !strings.Contains(got.Message, "polling every") {
			t.Fatalf("slow_down message %q", got.Message)
		}
	}
	got, err := poll()
	if err != nil || got.Status != "signed_in" || got.Session == nil || got.Session.Subject != "alice" ||
		!got.Session.HasRefreshToken || got.Session.Profile != b.Profile {
		t.Fatalf("final poll: %+v %v", got, err)
	}
	r, lerr := e.loadRecord(b.Profile)
	if lerr != nil || r.Token.AccessToken != "AT" || r.Token.RefreshToken != "RT" || r.Claims["email"] != "a@example" ||
		r.Endpoints.Token != "https://idp.example/token" || h.secrets[defaultProfileKey] != b.Profile {
		t.Fatalf("stored %+v %v", r, lerr)
	}
	if _, err := poll(); err == nil || err.Code != api.CodeUnknownFlow || !strings.Contains(err.Message, "run login again") {
		t.Fatalf("poll after the end: %+v", err)
	}
}

func TestDevicePollEndings(t *testing.T) {
	down := func() (*api.HTTPResponse, *api.Error) {
		return &api.HTTPResponse{Status: 502, Body: "bad gateway", Headers: map[string][]string{"Content-Type": {"text/plain"}}}, nil
	}
	cases := []struct {
		name    string
		answer  func() (*api.HTTPResponse, *api.Error)
		late    bool // the code's lifetime is over before the poll
		status  string
		code    string
		want    string
		forgets bool
	}{
		{"denied", oauthError("access_denied"), false, "denied", "", "the sign-in was denied on the verification page", true},
		{"expired at the server", oauthError("expired_token"), false, "expired", "", "the code expired before the sign-in was approved; run login again", true},
		{"expired here", nil, true, "expired", "", "run login again", true},
		{"other refusal", oauthError("invalid_grant"), false, "", api.CodeServer, "polling for the device sign-in: the server refused: invalid_grant", true},
		{"5xx", down, false, "", api.CodeTransient, "HTTP 502", false},
		{"network", func() (*api.HTTPResponse, *api.Error) {
			return nil, &api.Error{Code: api.HostTimeout, Message: "timed out"}
		}, false, "", api.CodeTransient, "check your network and try again", false},
		{"garbage", func() (*api.HTTPResponse, *api.Error) { return jsonResponse(200, `{"token_type":"Bearer"}`) },
			false, "", api.CodeInvalidResp, "no access_token", true},
		{"ID token for another client", nil, false, "", api.CodeIDToken, "ID token was rejected", true},
		{"openid without ID token", func() (*api.HTTPResponse, *api.Error) {
			return jsonResponse(200, `{"access_token":"AT","token_type":"Bearer"}`)
		}, false, "", api.CodeIDToken, "did not send an ID token", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, h, s, clk := newDeviceEngine(t)
			b := beginDevice(t, e, deviceProvider, false)
			answer := c.answer
			if c.name == "ID token for another client" {
				idt := s.idToken(map[string]any{"iss": testIssuer, "aud": "other", "sub": "alice",
					"iat": clk.t.Unix(), "exp": clk.t.Add(time.Hour).Unix()})
				answer = func() (*api.HTTPResponse, *api.Error) {
					return jsonResponse(200, `{"access_token":"AT","token_type":"Bearer","id_token":"`+idt+`"}`)
				}
			}
			if answer != nil {
				s.polls = append(s.polls, answer)
			}
			clk.wait(b.Interval)
			if c.late {
				clk.wait(600)
			}
			before := len(h.requests)
			got, err := e.DevicePoll(api.DevicePollInput{FlowID: b.FlowID})
			if c.code != "" {
				if err == nil || err.Code != c.code || !strings.Contains(err.Message, c.want) {
					t.Fatalf("got %+v %+v, want %s with %q", got, err, c.code, c.want)
				}
				if strings.Contains(err.Message, "your sign-in is kept") {
					t.Fatalf("message speaks of a stored sign-in: %q", err.Message)
				}
			} else if err != nil || got.Status != c.status || !strings.Contains(got.Message, c.want) {
				t.Fatalf("got %+v %+v, want %s with %q", got, err, c.status, c.want)
			}
			if c.late && len(h.requests) != before {
				t.Fatal("an expired code was still sent to the server")
			}
			if _, kept := e.devices[b.FlowID]; kept == c.forgets {
				t.Fatalf("flow kept = %v after %s", kept, c.name)
			}
			if _, found := h.secrets[profileKey(b.Profile)]; found {
				t.Fatal("something was stored")
			}
		})
	}
}

// Dex answers a dead refresh token with invalid_request: that means log in
// again too, and the stored sign-in stays as it was.
func TestRefreshInvalidRequestMeansLoginAgain(t *testing.T) {
	h := newTestHost()
	now := time.Unix(1_800_000_000, 0)
	storeRecord(t, h, &record{Provider: api.Provider{ClientID: "cli"}, Endpoints: endpoints{Token: "https://idp.example/token"},
		Token: storedToken{AccessToken: "AT", TokenType: "Bearer", RefreshToken: "RT", ExpiresAt: now.Unix() - 5}})
	before := h.secrets[profileKey("p")]
	h.http = func(api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
		return jsonResponse(400, `{"error":"invalid_request","error_description":"Refresh token is invalid or has already been claimed by another client."}`)
	}
	_, err := New(h, func() time.Time { return now }).Token(api.TokenInput{ProfileRef: api.ProfileRef{Profile: "p"}})
	if err == nil || err.Code != api.CodeLoginRequired || err.Message != "the refresh token is no longer valid (expired or revoked); run login again" {
		t.Fatalf("got %+v", err)
	}
	if h.secrets[profileKey("p")] != before {
		t.Fatal("the stored sign-in changed")
	}
}

// A poll before the interval the plugin last set is answered without a
// request (a server may count it against the client: RFC 8628 3.5, and Dex
// does), with how long is left to wait; the flow goes on.
func TestDevicePollTooEarlySendsNothing(t *testing.T) {
	e, h, s, c := newDeviceEngine(t)
	b := beginDevice(t, e, deviceProvider, false)
	s.polls = append(s.polls, oauthError("authorization_pending"), oauthError("slow_down"), oauthError("authorization_pending"))
	tokenRequests := func() int {
		n := 0
		for _, r := range h.requests {
			if strings.HasSuffix(r.URL, "/token") {
				n++
			}
		}
		return n
	}
	steps := []struct {
		after     time.Duration // since the previous step
		status    string
		wait      int
		sent      bool
		expiresIn int
	}{
		{0, "pending", 5, false, 600},                        // at once after device_begin
		{2 * time.Second, "pending", 3, false, 598},          // still early
		{3 * time.Second, "pending", 5, true, 595},           // on time: the server says pending
		{0, "pending", 5, false, 595},                        // at once again
		{4500 * time.Millisecond, "pending", 1, false, 591},  // half a second early: wait rounds up
		{500 * time.Millisecond, "slow_down", 10, true, 590}, // on time: the server says slow down
		{5 * time.Second, "pending", 5, false, 585},          // the old interval is not enough now
		{5 * time.Second, "pending", 10, true, 580},          // the new one is
	}
	sent := 0
	for i, st := range steps {
		c.t = c.t.Add(st.after)
		got, err := e.DevicePoll(api.DevicePollInput{FlowID: b.FlowID})
		if st.sent {
			sent++
		}
		if err != nil || got.Status != st.status || got.WaitSeconds != st.wait || got.ExpiresIn != st.expiresIn {
			t.Fatalf("step %d: %+v %v, want %s, wait %d, expires in %d", i, got, err, st.status, st.wait, st.expiresIn)
		}
		if tokenRequests() != sent {
			t.Fatalf("step %d: %d polls reached the server, want %d", i, tokenRequests(), sent)
		}
		if !st.sent && !strings.Contains(got.Message, "nothing was sent to the server; wait "+strconv.Itoa(st.wait)+" s") {
			t.Fatalf("step %d: message %q", i, got.Message)
		}
	}
}
