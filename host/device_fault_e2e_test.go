package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// A fault fixture, not a real server: a device-flow server whose token
// endpoint fails with HTTP 503 (an overloaded proxy) for a while. The real
// servers of the suite cannot be made to fail on cue. Its interval is 1 s
// so that the retries cost seconds.
type flakyDeviceServer struct {
	*httptest.Server
	mu    sync.Mutex
	polls []time.Time
	fails int // polls answered 503 before the server recovers; -1 = never
}

func startFlakyDeviceServer(t *testing.T, fails int) *flakyDeviceServer {
	s := &flakyDeviceServer{fails: fails}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /device", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"device_code":"dc-1","user_code":"FLAK-EY01","verification_uri":"` + s.URL +
			`/verify","expires_in":60,"interval":1}`))
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.polls = append(s.polls, time.Now())
		n := len(s.polls)
		s.mu.Unlock()
		if r.FormValue("device_code") != "dc-1" {
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch {
		case s.fails < 0 || n <= s.fails:
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("<html><body>upstream overloaded</body></html>"))
		case n == s.fails+1:
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error":"authorization_pending"}`))
		default:
			w.Write([]byte(`{"access_token":"fixture-access","token_type":"bearer","expires_in":3600,"scope":"read"}`))
		}
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func (s *flakyDeviceServer) loginArgs() []string {
	return []string{"login", "--client-id", "flaky-cli", "--token-url", s.URL + "/token",
		"--device-url", s.URL + "/device", "--scopes", "read", "--profile", "flaky"}
}

// Two 503s while the user approves: the host warns, keeps the code and
// polls on at the same pace; the sign-in then succeeds. Configured with a
// token and a device URL only, the server can only do the device flow.
func TestDevicePollingRidesOutServerTrouble(t *testing.T) {
	t.Parallel()
	s := startFlakyDeviceServer(t, 2)
	w := newBareWorld(t, "true") // a browser that shows nothing
	res := w.run(s.loginArgs()...)
	if res.code != 0 || !strings.Contains(res.stderr, "Signing in with the device flow: the server is configured for the device flow only.") ||
		strings.Count(res.stderr, "warning: polling for the device sign-in: the server answered HTTP 503") != 2 ||
		!strings.Contains(res.stderr, "503 with an HTML page; try again later (retry 2 of 3)") ||
		!strings.Contains(res.stderr, `Signed in to - (profile "flaky")`) {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.polls) != 4 {
		t.Fatalf("%d polls, want 4", len(s.polls))
	}
	// The interval, exactly: never early (RFC 8628 3.5), and not twice (a
	// wait doubled by a retry would be 2 s; a loaded machine adds less).
	for i := 1; i < len(s.polls); i++ {
		if gap := s.polls[i].Sub(s.polls[i-1]); gap < time.Second || gap >= 2*time.Second {
			t.Fatalf("poll %d came %s after the previous one; the interval is 1 s", i+1, gap)
		}
	}
	if tok := strings.TrimSpace(w.must("token", "--profile", "flaky").stdout); tok != "fixture-access" {
		t.Fatalf("token %q", tok)
	}
}

// A server that stays down: after three retries the login gives up with
// exit 4 (transient: try again) and the server's trouble in the message.
func TestDevicePollingGivesUpWhenTheServerStaysDown(t *testing.T) {
	t.Parallel()
	s := startFlakyDeviceServer(t, -1)
	w := newBareWorld(t, "true") // a browser that shows nothing
	res := w.run(s.loginArgs()...)
	if res.code != 4 || !strings.Contains(res.stderr, "(retry 3 of 3)") || strings.Contains(res.stderr, "retry 4") ||
		!strings.Contains(res.stderr, "login: polling for the device sign-in: the server answered HTTP 503") {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
}
