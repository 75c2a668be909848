package httpguard

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// The httptest servers below are fault fixtures on 127.0.0.1: they stand in
// for authorization servers that misbehave (redirect, stall, flood) so each
// policy branch of the guard is exercised against a real socket.

func get(t *testing.T, g *Guard, url string) api.Reply[api.HTTPResponse] {
	t.Helper()
	return g.Do(context.Background(), api.HTTPRequest{Method: "GET", URL: url})
}

func wantOK(t *testing.T, r api.Reply[api.HTTPResponse]) *api.HTTPResponse {
	t.Helper()
	if r.Error != nil {
		t.Fatalf("unexpected error %s: %s", r.Error.Code, r.Error.Message)
	}
	if r.OK == nil {
		t.Fatal("reply has neither ok nor error")
	}
	return r.OK
}

func wantCode(t *testing.T, r api.Reply[api.HTTPResponse], code string) *api.Error {
	t.Helper()
	if r.Error == nil {
		t.Fatalf("got status %d, want error %s", r.OK.Status, code)
	}
	if r.Error.Code != code {
		t.Fatalf("got error %s (%s), want %s", r.Error.Code, r.Error.Message, code)
	}
	return r.Error
}

func TestAllowedGET(t *testing.T) {
	var gotUA, gotAuth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotUA, gotAuth = r.UserAgent(), r.Header.Get("Authorization")
		fmt.Fprint(w, "hello")
	}))
	defer srv.Close()

	g := New(Options{})
	g.Allow(srv.URL)
	resp := wantOK(t, g.Do(context.Background(), api.HTTPRequest{
		Method: "GET", URL: srv.URL + "/userinfo?x=1",
		Headers: map[string][]string{"authorization": {"Bearer t"}},
	}))
	if resp.Status != 200 || resp.Body != "hello" {
		t.Fatalf("got %d %q", resp.Status, resp.Body)
	}
	if gotUA != "wasmlogin" || gotAuth != "Bearer t" {
		t.Fatalf("server saw User-Agent %q, Authorization %q", gotUA, gotAuth)
	}
}

func TestPluginUserAgentKept(t *testing.T) {
	var gotUA string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { gotUA = r.UserAgent() }))
	defer srv.Close()
	g := New(Options{})
	g.Allow(srv.URL)
	wantOK(t, g.Do(context.Background(), api.HTTPRequest{Method: "GET", URL: srv.URL, Headers: map[string][]string{"User-Agent": {"custom"}}}))
	if gotUA != "custom" {
		t.Fatalf("User-Agent %q", gotUA)
	}
}

func TestPOSTBody(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		got = r.Method + " " + r.PostForm.Get("grant_type")
	}))
	defer srv.Close()
	g := New(Options{})
	g.Allow(srv.URL)
	wantOK(t, g.Do(context.Background(), api.HTTPRequest{
		Method: "POST", URL: srv.URL + "/token", Body: "grant_type=refresh_token",
		Headers: map[string][]string{"Content-Type": {"application/x-www-form-urlencoded"}},
	}))
	if got != "POST refresh_token" {
		t.Fatalf("server saw %q", got)
	}
}

func TestDisallowedHost(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	g := New(Options{})
	g.Allow("https://issuer.example")
	e := wantCode(t, get(t, g, srv.URL+"/secret?code=abc"), api.HostDisallowedHost)
	if strings.Contains(e.Message, "code=abc") {
		t.Fatalf("message leaks the query: %s", e.Message)
	}
	if hits.Load() != 0 {
		t.Fatal("a disallowed server received a request")
	}
}

func TestOtherPortOfAllowedHostRefused(t *testing.T) {
	g := New(Options{})
	g.Allow("http://127.0.0.1:1234")
	wantCode(t, get(t, g, "http://127.0.0.1:1235/"), api.HostDisallowedHost)
}

func TestMethodRefused(t *testing.T) {
	g := New(Options{})
	g.Allow("https://issuer.example")
	r := g.Do(context.Background(), api.HTTPRequest{Method: "DELETE", URL: "https://issuer.example/x"})
	wantCode(t, r, api.HostDenied)
}

func TestUserinfoInURLRefused(t *testing.T) {
	g := New(Options{})
	g.Allow("https://issuer.example")
	e := wantCode(t, get(t, g, "https://user:pw@issuer.example/x"), api.HostDisallowedHost)
	if strings.Contains(e.Message, "pw") {
		t.Fatalf("message leaks the password: %s", e.Message)
	}
}

func TestRedirectReturnedNotFollowed(t *testing.T) {
	var targetHits atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { targetHits.Add(1) }))
	defer target.Close()
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/stolen", http.StatusFound)
	}))
	defer origin.Close()

	g := New(Options{})
	g.Allow(origin.URL)
	g.Allow(target.URL) // even an allowed target must not be followed to
	resp := wantOK(t, get(t, g, origin.URL+"/authorize"))
	if resp.Status != http.StatusFound {
		t.Fatalf("status %d, want 302", resp.Status)
	}
	if loc := resp.Headers["Location"]; len(loc) != 1 || loc[0] != target.URL+"/stolen" {
		t.Fatalf("Location %v", loc)
	}
	if targetHits.Load() != 0 {
		t.Fatal("the redirect was followed")
	}
}

func TestTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // stall, but let srv.Close finish promptly
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer srv.Close()
	g := New(Options{Timeout: 200 * time.Millisecond})
	g.Allow(srv.URL)
	start := time.Now()
	wantCode(t, get(t, g, srv.URL), api.HostTimeout)
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("timeout took %s", d)
	}
}

func TestBodyCapped(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := make([]byte, 64<<10)
		for i := 0; i < 160; i++ { // 10 MiB
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	g := New(Options{})
	g.Allow(srv.URL)
	wantCode(t, get(t, g, srv.URL), api.HostTooLarge)
}

func TestBodyAtCapAccepted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("a", 100)))
	}))
	defer srv.Close()
	g := New(Options{MaxResponseBytes: 100})
	g.Allow(srv.URL)
	if resp := wantOK(t, get(t, g, srv.URL)); len(resp.Body) != 100 {
		t.Fatalf("body length %d", len(resp.Body))
	}
}

func TestConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there any more
	g := New(Options{})
	g.Allow(url)
	wantCode(t, get(t, g, url+"/token"), api.HostConnect)
}

func TestPlainHTTPToNonLoopbackRefused(t *testing.T) {
	g := New(Options{})
	g.Allow("http://issuer.example")
	e := wantCode(t, get(t, g, "http://issuer.example/.well-known/openid-configuration"), api.HostDisallowedHost)
	if !strings.Contains(e.Message, "https") {
		t.Fatalf("message does not say what to use instead: %s", e.Message)
	}
	wantCode(t, get(t, g, "ftp://issuer.example/x"), api.HostDisallowedHost)
}

func TestHeadersAllValues(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("www-authenticate", `Bearer error="a"`)
		w.Header().Add("WWW-Authenticate", `DPoP error="b"`)
		w.Header().Set("Retry-After", "7")
	}))
	defer srv.Close()
	g := New(Options{})
	g.Allow(srv.URL)
	resp := wantOK(t, get(t, g, srv.URL))
	if got := resp.Headers["Www-Authenticate"]; len(got) != 2 || got[0] != `Bearer error="a"` || got[1] != `DPoP error="b"` {
		t.Fatalf("Www-Authenticate = %v (all headers %v)", got, resp.Headers)
	}
	if got := resp.Headers["Retry-After"]; len(got) != 1 || got[0] != "7" {
		t.Fatalf("Retry-After = %v", got)
	}
}

func TestOriginNormalisation(t *testing.T) {
	cases := map[string]string{
		"https://Example.COM:443/a?b": "https://example.com",
		"https://example.com:8443/":   "https://example.com:8443",
		"http://[::1]:80/x":           "http://[::1]",
		"http://[::1]:9000/x":         "http://[::1]:9000",
	}
	for in, want := range cases {
		if got, err := originOf(in); err != nil || got != want {
			t.Errorf("originOf(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestCallerClientNotModified(t *testing.T) {
	c := &http.Client{}
	New(Options{Client: c})
	if c.CheckRedirect != nil {
		t.Fatal("New changed the caller's client")
	}
}
