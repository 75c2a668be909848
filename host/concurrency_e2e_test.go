package main

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/internal/testop"
)

// Five `token` processes start at once with an expired access token and a
// rotating refresh token: exactly one refresh reaches the server, all five
// print the same valid token, and the rotated refresh token is stored.
// Without the lock, the losers would replay a rotated refresh token and the
// server would revoke the session (the complaint kubelogin fixed this way).
func TestConcurrentTokenRefreshOnce(t *testing.T) {
	op := startDueForRefresh(t)
	w := newWorld(t, op, bins.autobrowser)
	w.login("--profile", "busy") // also compiles the plugin into the shared cache
	tokensLast(op)
	before := refreshTokenOf(w.stored("busy"))
	refreshes := op.GrantRequests("refresh_token")

	out := runAll(w, 5, func(int) []string { return []string{"token", "--profile", "busy"} })
	for i, r := range out {
		if r.code != 0 || r.stdout != out[0].stdout || strings.TrimSpace(r.stdout) == "" {
			t.Fatalf("process %d: exit %d, same token %v, stderr %q", i, r.code, r.stdout == out[0].stdout, r.stderr)
		}
	}
	if got := op.GrantRequests("refresh_token") - refreshes; got != 1 {
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

// exchange --subject-profile refreshes the subject profile when its ID
// token is due, as `token` refreshes it when its access token is: racing
// each other they still make one refresh per profile. Two profiles of the
// confidential client are each other's subject, so the exchanges also
// take the two profile locks in opposite order of their roles; a fixed
// lock order keeps them from waiting on each other.
func TestExchangeRacesTokenRefreshOnce(t *testing.T) {
	op := startDueForRefresh(t)
	w := newWorld(t, op, bins.autobrowser)
	w.env = append(w.env, "WEB_SECRET="+testop.WebClientSecret)
	for _, p := range []string{"a", "b"} {
		w.must("login", "--issuer", op.Issuer, "--client-id", testop.WebClientID, "--client-secret-env", "WEB_SECRET",
			"--scopes", "openid offline_access", "--profile", p, "--timeout", "60s")
	}
	tokensLast(op)
	refreshes := op.GrantRequests("refresh_token")

	other := map[string]string{"a": "b", "b": "a"}
	out := runAll(w, 8, func(i int) []string {
		p := []string{"a", "b"}[i%2]
		if i%4 < 2 {
			return []string{"token", "--profile", p}
		}
		return []string{"exchange", "--profile", p, "--subject-profile", other[p],
			"--subject-token-type", "id_token", "--requested-token-type", "access_token"}
	})
	for i, r := range out {
		if r.code != 0 || !accepted(t, op, strings.TrimSpace(r.stdout)) {
			t.Fatalf("process %d: exit %d, stderr %q", i, r.code, r.stderr)
		}
	}
	if got := op.GrantRequests("refresh_token") - refreshes; got != 2 {
		t.Fatalf("%d refresh requests reached the server, want exactly 2 (one per profile)", got)
	}
}

// startDueForRefresh starts a provider whose access and ID tokens last 10
// s, inside the plugin's 30 s margin: a profile signed in now is due for
// refresh at once, with no waiting for a clock.
func startDueForRefresh(t *testing.T) *testop.OP {
	return testop.StartT(t, testop.Options{AccessTokenLifetime: 10 * time.Second, IDTokenLifetime: 10 * time.Second})
}

// tokensLast makes the provider issue hour-long tokens from now on, so a
// process that gets the lock after the refresh finds the token fresh.
func tokensLast(op *testop.OP) {
	op.Storage.SetAccessTokenLifetime(time.Hour)
	op.Storage.SetIDTokenLifetime(0)
	op.SlowRefreshes(raceWindow)
}

// raceWindow is how long the provider takes over a refresh in these tests.
// Each process spends a moment opening the store (the encrypted file's key
// derivation, on a busy machine); a refresh that takes longer than that
// spread makes processes without the lock overlap, so the tests fail
// without it. With the lock it only delays the waiters.
const raceWindow = 1500 * time.Millisecond

// runAll starts n host processes at once and waits for all of them.
func runAll(w *world, n int, args func(i int) []string) []result {
	out := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); out[i] = w.run(args(i)...) }()
	}
	wg.Wait()
	return out
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
