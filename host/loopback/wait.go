package loopback

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// readHeaderTimeout drops connections that open but never send a request
// (browsers pre-connect speculatively). They cost a goroutine, never the
// flow: Wait returns as soon as the real callback is handled.
const readHeaderTimeout = 10 * time.Second

// shutdownGrace bounds how long closing waits for the page to be read.
const shutdownGrace = 300 * time.Millisecond

// Page is what the browser shows after the redirect. Handlers say whether
// the login worked; the terminal carries the details.
type Page struct {
	Success bool
	Title   string
	Message string
}

// Verdict is the caller's answer to one request on the redirect path.
type Verdict struct {
	// Page is shown to whoever sent the request.
	Page Page
	// Done says the request was this login's callback and ended it
	// (accepted, or refused after it proved to be this login's). When
	// false, the request was not taken as this login's callback: it gets
	// Page with status 400, and Wait keeps waiting.
	Done bool
}

// Wait serves until a GET on the redirect path that handle takes as this
// login's callback (Verdict.Done), answers it with handle's page, closes
// the listener and returns its URL. Every GET on the redirect path is
// passed to handle, one at a time, until then: any local process can send
// one, so only the flow, which knows the state it sent (RFC 6749 10.12,
// RFC 8252 8.1), can tell the browser's own redirect from a stray one.
// Requests for other paths (a favicon, say) get 404 and requests with other
// methods 405; neither reaches handle. A nil handle takes the first GET.
// Wait is meant to be called once; the listener is closed when it returns,
// whatever the outcome.
//
// The callback URL is rebuilt from the Host header the browser sent and the
// request's path and query, i.e. as the browser used it; checking state and
// issuer is the caller's job.
func (l *Listener) Wait(ctx context.Context, handle func(callbackURL string) Verdict) (string, error) {
	defer l.Close()

	got := make(chan string, 1)
	var (
		mu   sync.Mutex // one callback at a time reaches handle
		done bool
	)
	// A plain handler rather than a ServeMux: the path is compared exactly,
	// with no pattern syntax or subtree matching.
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != l.path {
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", http.MethodGet)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		// Once the login has its callback, a later one (a reload, a
		// replay) must not reach the flow.
		if done {
			http.Error(w, "this login has already received its callback", http.StatusGone)
			return
		}
		host := r.Host
		if host == "" {
			host = l.authority
		}
		callbackURL := "http://" + host + r.URL.RequestURI()
		v := Verdict{Done: true, Page: Page{Success: true, Title: "Login complete", Message: "You are logged in."}}
		if handle != nil {
			v = handle(callbackURL)
		}
		if !v.Done {
			v.Page.Success = false // status 400: not this login's callback
		}
		writePage(w, v.Page)
		if v.Done {
			done = true
			got <- callbackURL
		}
	})

	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readHeaderTimeout,
		WriteTimeout:      readHeaderTimeout,
		IdleTimeout:       readHeaderTimeout,
		MaxHeaderBytes:    64 << 10,
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l.ln) }()
	// A short graceful shutdown lets the browser read the page before the
	// socket closes (an abrupt close can reset it mid-read); the bound keeps
	// speculative pre-connections, which Shutdown counts as active for a
	// while, from delaying the login.
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		if srv.Shutdown(sctx) != nil {
			srv.Close()
		}
	}()

	select {
	case u := <-got:
		return u, nil
	case err := <-served:
		return "", fmt.Errorf("the redirect listener on %s stopped: %v; try again", l.redirectURI, err)
	case <-ctx.Done():
		select { // a callback that arrived just in time still counts
		case u := <-got:
			return u, nil
		default:
		}
		return "", &timedOut{cause: ctx.Err(), msg: fmt.Sprintf("the browser never came back to %s within the time limit; "+
			"try again, or use --no-browser or the device flow if the browser cannot reach this machine", l.redirectURI)}
	}
}

// writePage sends the whole page with an explicit length and flushes it, so
// it has left the process before Wait closes the server.
func writePage(w http.ResponseWriter, p Page) {
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, p); err != nil {
		buf.Reset()
		buf.WriteString("<!doctype html><title>wasmlogin</title><p>You can close this tab and return to the terminal.")
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Connection", "close")
	status := http.StatusOK
	if !p.Success {
		status = http.StatusBadRequest
	}
	w.WriteHeader(status)
	w.Write(buf.Bytes())
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}

// timedOut says in words that the wait ran out. Go's "context deadline
// exceeded" tells a user nothing, so it is not in the text; it is still
// what the error unwraps to, for callers that check.
type timedOut struct {
	msg   string
	cause error
}

func (e *timedOut) Error() string { return e.msg }
func (e *timedOut) Unwrap() error { return e.cause }
