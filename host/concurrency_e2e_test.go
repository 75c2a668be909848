package main

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/internal/testop"
)

// 20 `token` processes start at once with an expired access token and a
// rotating refresh token: exactly one refresh reaches the server, all 20
// print the same valid token, and the rotated refresh token is stored.
// Without the lock, the losers would replay a rotated refresh token and the
// server would revoke the session (the complaint kubelogin fixed this way).
func TestConcurrentTokenRefreshOnce(t *testing.T) {
	op := testop.StartT(t, testop.Options{AccessTokenLifetime: 32 * time.Second})
	w := newWorld(t, op, bins.autobrowser)
	w.login("--profile", "busy")
	w.must("token", "--profile", "busy") // warm the compile cache: the test is about refresh, not compile time
	before := refreshTokenOf(w.stored("busy"))
	time.Sleep(3 * time.Second) // now inside the 30 s margin: every process wants to refresh
	// The refreshed token lasts an hour, so a process that gets the lock
	// late under load finds it fresh instead of refreshing once more.
	op.Storage.SetAccessTokenLifetime(time.Hour)
	requests := op.Requests(testop.PathToken)

	const n = 20
	out := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); out[i] = w.run("token", "--profile", "busy") }()
	}
	wg.Wait()
	for i, r := range out {
		if r.code != 0 || r.stdout != out[0].stdout || strings.TrimSpace(r.stdout) == "" {
			t.Fatalf("process %d: exit %d, same token %v, stderr %q", i, r.code, r.stdout == out[0].stdout, r.stderr)
		}
	}
	if got := op.Requests(testop.PathToken) - requests; got != 1 {
		t.Fatalf("%d refresh requests reached the server, want exactly 1", got)
	}
	after := refreshTokenOf(w.stored("busy"))
	if after == "" || after == before {
		t.Fatal("the rotated refresh token was not stored")
	}
	if !accepted(t, op, strings.TrimSpace(out[0].stdout)) {
		t.Fatal("the provider does not accept the token")
	}
}

// Two logins at once: separate ports, separate state, both profiles kept.
func TestConcurrentLogins(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.autobrowser)
	var wg sync.WaitGroup
	res := make([]result, 2)
	for i, name := range []string{"one", "two"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i] = w.run("login", "--issuer", op.Issuer, "--client-id", testop.NativeClientID,
				"--scopes", "openid offline_access", "--profile", name, "--timeout", "60s")
		}()
	}
	wg.Wait()
	for i, r := range res {
		if r.code != 0 {
			t.Fatalf("login %d: exit %d %q", i, r.code, r.stderr)
		}
	}
	list := w.must("profiles").stdout
	if !strings.Contains(list, "one\t") || !strings.Contains(list, "two\t") {
		t.Fatalf("a concurrent login lost a profile:\n%s", list)
	}
	if w.must("token", "--profile", "one").stdout == w.must("token", "--profile", "two").stdout {
		t.Fatal("two logins share one token")
	}
}
