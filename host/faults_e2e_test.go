package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/internal/testop"
)

// faultProxy is a fault fixture, not a server: it forwards to the real
// provider and, when a fault is set, answers the token endpoint with it.
type faultProxy struct {
	*httptest.Server
	fault atomic.Value // func(http.ResponseWriter) or nil
}

func newFaultProxy(t *testing.T, op *testop.OP) *faultProxy {
	target, _ := url.Parse(op.Issuer)
	fp := &faultProxy{}
	proxy := httputil.NewSingleHostReverseProxy(target)
	fp.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f, _ := fp.fault.Load().(func(http.ResponseWriter)); f != nil && r.URL.Path == testop.PathToken {
			io.Copy(io.Discard, r.Body)
			f(w)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(fp.Close)
	return fp
}

// Every network fault at refresh time gives a clear message and the right
// exit code, and the stored refresh token survives it.
func TestRefreshFaults(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	fp := newFaultProxy(t, op)
	var escaped atomic.Bool
	elsewhere := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { escaped.Store(true) }))
	defer elsewhere.Close()

	w := newWorld(t, op, bins.autobrowser)
	w.env = append(w.env, "WASMLOGIN_HTTP_TIMEOUT=1s")
	// Explicit endpoints: the token endpoint is reached through the proxy.
	w.must("login", "--issuer", op.Issuer, "--client-id", testop.NativeClientID, "--profile", "f",
		"--scopes", "openid offline_access", "--auth-url", op.URL(testop.PathAuthorize),
		"--token-url", fp.URL+testop.PathToken, "--jwks-url", op.URL(testop.PathKeys), "--timeout", "60s")
	kept := refreshTokenOf(w.stored("f"))

	cases := []struct {
		name  string
		fault func(http.ResponseWriter)
		code  int
		want  string
	}{
		{"500", func(w http.ResponseWriter) { http.Error(w, "internal", 500) }, 4, "try again"},
		{"503 with Retry-After", func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "120")
			http.Error(w, `{"error":"temporarily_unavailable"}`, 503)
		}, 4, "wait 120 s"},
		{"timeout", func(http.ResponseWriter) { time.Sleep(3 * time.Second) }, 4, "try again"},
		{"HTML error page", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			io.WriteString(w, "<html><body>Bad gateway "+kept+"</body></html>")
		}, 4, "HTML"},
		{"truncated JSON", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"access_token":"abc","token_type":"Bearer","exp`)
		}, 6, "refreshing the access token"},
		{"10 MB body", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"access_token":"`+strings.Repeat("a", 10<<20)+`"}`)
		}, 6, "larger than the host accepts"},
		{"redirect elsewhere", func(w http.ResponseWriter) {
			w.Header().Set("Location", elsewhere.URL+"/steal")
			w.WriteHeader(307)
		}, 6, "redirect (HTTP 307), which is not followed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fp.fault.Store(c.fault)
			r := w.run("token", "--profile", "f", "--force-refresh")
			if r.code != c.code || !strings.Contains(r.stderr, c.want) {
				t.Fatalf("exit %d (want %d), stderr %q (want %q)", r.code, c.code, r.stderr, c.want)
			}
			if strings.Contains(r.stderr, kept) || strings.Contains(r.stderr, "<html") {
				t.Fatalf("the message echoes the server's body: %q", r.stderr)
			}
			if refreshTokenOf(w.stored("f")) != kept {
				t.Fatal("a failed refresh changed the stored refresh token")
			}
		})
	}
	if escaped.Load() {
		t.Fatal("a redirect was followed to a host outside the allowlist")
	}
	fp.fault.Store((func(http.ResponseWriter))(nil))
	if r := w.run("token", "--profile", "f", "--force-refresh"); r.code != 0 {
		t.Fatalf("after the faults, a refresh must work with the kept token: exit %d %q", r.code, r.stderr)
	}
}
