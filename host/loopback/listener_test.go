package loopback

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// client makes every test request use a fresh connection, so "refused
// after the callback" is tested against the socket, not a pooled connection.
var client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}

func listen(t *testing.T, opts Options) *Listener {
	t.Helper()
	l, err := Listen(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

type result struct {
	url string
	err error
}

func waitAsync(l *Listener, ctx context.Context, handle func(string) Verdict) <-chan result {
	ch := make(chan result, 1)
	go func() {
		u, err := l.Wait(ctx, handle)
		ch <- result{u, err}
	}()
	return ch
}

func TestPortChosenByOS(t *testing.T) {
	l := listen(t, Options{})
	u := l.RedirectURI()
	if !strings.HasPrefix(u, "http://127.0.0.1:") || !strings.HasSuffix(u, "/callback") || strings.Contains(u, ":0/") {
		t.Fatalf("RedirectURI = %q", u)
	}
}

func TestFixedPort(t *testing.T) {
	// Find a free port, release it, and ask for it explicitly.
	probe, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := probe.Addr().(*net.TCPAddr).Port
	probe.Close()
	l := listen(t, Options{Port: port, Path: "/cb"})
	if want := "http://127.0.0.1:" + strconv.Itoa(port) + "/cb"; l.RedirectURI() != want {
		t.Fatalf("RedirectURI = %q, want %q", l.RedirectURI(), want)
	}
	// The same port again is taken, and the error says what to do.
	_, err = Listen(Options{Port: port})
	if err == nil || !strings.Contains(err.Error(), "choose another port") {
		t.Fatalf("second Listen on the same port: %v", err)
	}
}

func TestLocalhostName(t *testing.T) {
	l := listen(t, Options{Host: "localhost"})
	if !strings.HasPrefix(l.RedirectURI(), "http://localhost:") {
		t.Fatalf("RedirectURI = %q", l.RedirectURI())
	}
	if host, _, _ := net.SplitHostPort(l.ln.Addr().String()); host != "127.0.0.1" {
		t.Fatalf("bound to %s, want 127.0.0.1", host)
	}
}

func TestIPv6Loopback(t *testing.T) {
	l, err := Listen(Options{Host: "[::1]"})
	if err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	}
	defer l.Close()
	if !strings.HasPrefix(l.RedirectURI(), "http://[::1]:") {
		t.Fatalf("RedirectURI = %q", l.RedirectURI())
	}
}

func TestNonLoopbackHostRefused(t *testing.T) {
	for _, h := range []string{"0.0.0.0", "::", "192.168.1.10", "example.com", "10.0.0.1"} {
		if l, err := Listen(Options{Host: h}); err == nil {
			l.Close()
			t.Errorf("Listen(Host %q) succeeded", h)
		} else if !strings.Contains(err.Error(), "loopback") {
			t.Errorf("Listen(Host %q): %v", h, err)
		}
	}
}

func TestOneCallbackOnly(t *testing.T) {
	l := listen(t, Options{})
	var calls atomic.Int32
	done := waitAsync(l, context.Background(), func(u string) Verdict {
		calls.Add(1)
		return Verdict{Done: true, Page: Page{Success: true, Title: "Done", Message: "ok"}}
	})

	resp, err := client.Get(l.RedirectURI() + "?code=abc&state=xyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "close this tab") {
		t.Fatalf("status %d, body %q", resp.StatusCode, body)
	}
	for name, want := range map[string]string{
		"Cache-Control":   "no-store",
		"Referrer-Policy": "no-referrer",
		"Content-Type":    "text/html; charset=utf-8",
	} {
		if got := resp.Header.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}

	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.url != l.RedirectURI()+"?code=abc&state=xyz" {
		t.Fatalf("callback URL %q", r.url)
	}
	if _, err := client.Get(l.RedirectURI() + "?code=second"); err == nil {
		t.Fatal("a second callback was answered after Wait returned")
	}
	if calls.Load() != 1 {
		t.Fatalf("handle called %d times", calls.Load())
	}
}

func TestWrongPathAndMethod(t *testing.T) {
	l := listen(t, Options{})
	var calls atomic.Int32
	done := waitAsync(l, context.Background(), func(string) Verdict { calls.Add(1); return Verdict{Done: true, Page: Page{Success: true}} })
	base := strings.TrimSuffix(l.RedirectURI(), "/callback")

	for _, p := range []string{"/favicon.ico", "/callback/extra", "/"} {
		resp, err := client.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", p, resp.StatusCode)
		}
	}
	resp, err := client.Post(l.RedirectURI(), "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d, want 405", resp.StatusCode)
	}
	if calls.Load() != 0 {
		t.Fatal("handle was called for a request that does not count")
	}
	// The real callback still works afterwards.
	resp, err = client.Get(l.RedirectURI() + "?code=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if r := <-done; r.err != nil || calls.Load() != 1 {
		t.Fatalf("err %v, calls %d", r.err, calls.Load())
	}
}

func TestMessageEscaped(t *testing.T) {
	l := listen(t, Options{})
	done := waitAsync(l, context.Background(), func(string) Verdict {
		return Verdict{Done: true, Page: Page{Success: false, Title: "Login <b>failed</b>", Message: `server said <script>alert("x")</script>`}}
	})
	resp, err := client.Get(l.RedirectURI() + "?error=access_denied")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	<-done
	if strings.Contains(string(body), "<script>") || strings.Contains(string(body), "<b>") {
		t.Fatalf("page not escaped: %s", body)
	}
	if !strings.Contains(string(body), "&lt;script&gt;") {
		t.Fatalf("message missing: %s", body)
	}
	if strings.Contains(string(body), "http://") || strings.Contains(string(body), "https://") {
		t.Fatalf("page references something external: %s", body)
	}
}

func TestIdleConnectionDoesNotBlock(t *testing.T) {
	l := listen(t, Options{})
	done := waitAsync(l, context.Background(), func(string) Verdict { return Verdict{Done: true, Page: Page{Success: true}} })
	addr := strings.TrimPrefix(strings.TrimSuffix(l.RedirectURI(), "/callback"), "http://")

	// A pre-connection that never sends anything.
	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()

	start := time.Now()
	resp, err := client.Get(l.RedirectURI() + "?code=1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	select {
	case r := <-done:
		if r.err != nil {
			t.Fatal(r.err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Wait did not return while an idle connection was open")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %s", d)
	}
}

func TestTimeoutMessage(t *testing.T) {
	l := listen(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := l.Wait(ctx, func(string) Verdict { t.Error("handle called"); return Verdict{} })
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "context deadline exceeded") {
		t.Errorf("Go's context error reaches the user: %v", err)
	}
	for _, want := range []string{"never came back", l.RedirectURI(), "try again", "--no-browser"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q: %v", want, err)
		}
	}
	if _, err := client.Get(l.RedirectURI()); err == nil {
		t.Fatal("listener still answers after Wait gave up")
	}
}

// Any local process can send the listener a request. Each goes to the
// handler, one at a time; one it does not take gets a 400 page and the
// listener keeps waiting, so the browser's own redirect still arrives and
// ends the wait. Afterwards nothing is answered.
func TestStrayCallbacksDoNotEndTheWait(t *testing.T) {
	l := listen(t, Options{})
	var inside, overlapped atomic.Int32
	var seen []string
	done := waitAsync(l, context.Background(), func(u string) Verdict {
		if inside.Add(1) > 1 {
			overlapped.Add(1)
		}
		defer inside.Add(-1)
		seen = append(seen, u)
		if !strings.Contains(u, "state=ours") {
			return Verdict{Page: Page{Success: true, Title: "Not this sign-in", Message: "wrong state"}}
		}
		return Verdict{Done: true, Page: Page{Success: true, Title: "Signed in", Message: "ok"}}
	})

	strays := []string{"?code=x&state=wrong", "?error=access_denied&state=wrong", "?code=x", ""}
	var wg sync.WaitGroup
	for _, q := range strays {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := client.Get(l.RedirectURI() + q)
			if err != nil {
				t.Error(err)
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "Not this sign-in") {
				t.Errorf("stray %q: status %d, body %q", q, resp.StatusCode, body)
			}
		}()
	}
	wg.Wait()
	select {
	case r := <-done:
		t.Fatalf("a stray request ended the wait: %+v", r)
	default:
	}

	resp, err := client.Get(l.RedirectURI() + "?code=real&state=ours")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the real callback: status %d", resp.StatusCode)
	}
	r := <-done
	if r.err != nil || r.url != l.RedirectURI()+"?code=real&state=ours" {
		t.Fatalf("Wait = %+v", r)
	}
	if len(seen) != len(strays)+1 || overlapped.Load() != 0 {
		t.Fatalf("handler saw %d callbacks (%d overlapping), want %d one at a time", len(seen), overlapped.Load(), len(strays)+1)
	}
	if _, err := client.Get(l.RedirectURI() + "?code=late&state=ours"); err == nil {
		t.Fatal("a callback was answered after Wait returned")
	}
}
