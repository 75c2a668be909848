// Command chromebrowser is autobrowser's contract carried out by a real
// browser: usable as BROWSER=/path/to/chromebrowser in tests against
// internal/testop's OP, it drives headless Chromium (via chromedp) to the URL
// given as its last argument, types TESTOP_USERNAME and TESTOP_PASSWORD into
// the OP's login form, submits it, and waits until the browser has loaded a
// page on the redirect_uri's host:port (the client's loopback listener). It
// then exits 0; on any failure it prints the error to stderr and exits 1.
// Overall timeout: 60 s.
//
// Environment: CHROMIUM (default /usr/bin/chromium), AUTOBROWSER_LOG=path
// (appends the URL it was given), CHROMEBROWSER_VERBOSE=1 (browser and
// chromedp logs to stderr).
package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/wasmlogin/wasmlogin/internal/testop/autologin"
	"io"
	"log"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

const (
	overallTimeout = 60 * time.Second
	// stuckAfter: how long a loaded page at the OP without a login form is
	// tolerated before it is taken for an error page.
	stuckAfter = 3 * time.Second
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "chromebrowser:", autologin.Redact(err.Error()))
		os.Exit(1)
	}
}

func run() error {
	if len(os.Args) < 2 {
		return fmt.Errorf("usage: %s URL", os.Args[0])
	}
	target := os.Args[len(os.Args)-1]
	if path := os.Getenv("AUTOBROWSER_LOG"); path != "" {
		if err := appendLine(path, target); err != nil {
			return fmt.Errorf("AUTOBROWSER_LOG: %w", err)
		}
	}
	username, password := os.Getenv("TESTOP_USERNAME"), os.Getenv("TESTOP_PASSWORD")
	if username == "" || password == "" {
		return errors.New("TESTOP_USERNAME and TESTOP_PASSWORD must be set")
	}
	start, err := url.Parse(target)
	if err != nil || start.Host == "" {
		return fmt.Errorf("not an absolute URL: %q", target)
	}
	// Where the flow must end: the redirect_uri's host:port. Without one in
	// the URL (e.g. a pushed request), any host other than the OP's.
	var wantHost string
	if ru := start.Query().Get("redirect_uri"); ru != "" {
		u, err := url.Parse(ru)
		if err != nil || u.Host == "" {
			return fmt.Errorf("redirect_uri is not an absolute URL: %q", ru)
		}
		wantHost = u.Host
	}

	execPath := os.Getenv("CHROMIUM")
	if execPath == "" {
		execPath = "/usr/bin/chromium"
	}
	if _, err := os.Stat(execPath); err != nil {
		return fmt.Errorf("no browser at %s (set CHROMIUM, or install Debian's chromium): %w", execPath, err)
	}
	dataDir, err := os.MkdirTemp("", "chromebrowser-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dataDir)

	verbose := os.Getenv("CHROMEBROWSER_VERBOSE") == "1"
	var browserOut io.Writer = io.Discard
	logf := func(string, ...any) {}
	if verbose {
		browserOut = os.Stderr
		logf = log.New(os.Stderr, "chromebrowser: ", 0).Printf
	}

	ctx, cancel := context.WithTimeout(context.Background(), overallTimeout)
	defer cancel()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(execPath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(dataDir),
		chromedp.CombinedOutput(browserOut),
	)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(allocCtx,
		chromedp.WithErrorf(logf), chromedp.WithLogf(logf))
	defer cancelBrowser()

	err = browse(bctx, target, start.Host, wantHost, username, password, logf)
	if ctx.Err() != nil && err != nil {
		err = fmt.Errorf("gave up after %s: %w", overallTimeout, err)
	}
	// Close the browser before the profile directory is removed.
	if cerr := chromedp.Cancel(bctx); cerr != nil && err == nil && !errors.Is(cerr, context.Canceled) {
		logf("closing the browser: %v", cerr)
	}
	return err
}

// pageState is what the polling script reports about the current page.
type pageState struct {
	Href      string `json:"href"`
	Host      string `json:"host"`
	Ready     string `json:"ready"`
	LoginForm bool   `json:"loginForm"`
	Submitted bool   `json:"submitted"` // our marker, set on the page we submitted
	FormError string `json:"formError"`
	Text      string `json:"text"`
}

const stateJS = `(() => {
  const f = document.querySelector('form input[name="password"]');
  const e = document.querySelector('p[style*="red"]');
  return {
    href: location.href,
    host: location.host,
    ready: document.readyState,
    loginForm: !!f,
    submitted: !!window.__chromebrowserSubmitted,
    formError: e ? e.textContent.trim() : "",
    text: document.body ? document.body.innerText.slice(0, 300) : "",
  };
})()`

func browse(ctx context.Context, target, opHost, wantHost, username, password string, logf func(string, ...any)) error {
	if err := chromedp.Run(ctx, chromedp.Navigate(target)); err != nil {
		return fmt.Errorf("opening %s: %w", target, err)
	}
	submitted := false
	var stuckSince time.Time
	var last pageState
	var prevHref string // the page before the current one
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("last page %s (%q): %w", last.Href, last.Text, err)
		}
		var st pageState
		evalCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := chromedp.Run(evalCtx, chromedp.Evaluate(stateJS, &st))
		cancel()
		if err != nil {
			// Typically a navigation in progress; try again.
			logf("evaluate: %v", err)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if st.Href != last.Href {
			logf("at %s (%s)", st.Href, st.Ready)
			if last.Href != "" {
				prevHref = last.Href
			}
		}
		last = st

		switch {
		case strings.HasPrefix(st.Href, "chrome-error:"):
			return fmt.Errorf("the browser could not load the page after %s (nothing listening on the redirect_uri?)", prevHref)
		case st.Ready == "complete" && st.Host != opHost && (wantHost == "" || st.Host == wantHost):
			logf("done at %s", st.Href)
			return nil
		case st.LoginForm && !st.Submitted:
			if submitted {
				msg := st.FormError
				if msg == "" {
					msg = "the login form was shown again"
				}
				return fmt.Errorf("login as %q rejected at %s: %s", username, st.Href, msg)
			}
			submitted = true
			stuckSince = time.Time{}
			if err := chromedp.Run(ctx,
				chromedp.WaitVisible(`input[name="username"]`, chromedp.ByQuery),
				chromedp.SendKeys(`input[name="username"]`, username, chromedp.ByQuery),
				chromedp.SendKeys(`input[name="password"]`, password, chromedp.ByQuery),
				chromedp.Evaluate(`window.__chromebrowserSubmitted = true`, nil),
				chromedp.Click(`form button[type="submit"]`, chromedp.ByQuery),
			); err != nil {
				return fmt.Errorf("filling in the login form at %s: %w", st.Href, err)
			}
			logf("login form submitted")
		case st.Ready == "complete" && !st.LoginForm && st.Host == opHost:
			// A loaded page at the OP that is not the login form: an
			// error page, unless it moves on soon.
			if stuckSince.IsZero() {
				stuckSince = time.Now()
			} else if time.Since(stuckSince) > stuckAfter {
				return fmt.Errorf("stuck at the authorization server's page %s: %q", st.Href, st.Text)
			}
		default:
			stuckSince = time.Time{}
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func appendLine(path, line string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(f, line)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
