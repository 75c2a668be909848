package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/wasmlogin/wasmlogin/host/engine"
	"github.com/wasmlogin/wasmlogin/host/loopback"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// loginBrowser runs the browser flow: listen on loopback, let the plugin
// build the authorization URL, and hand the plugin each callback that
// arrives until one ends the login. With paste, the URL the browser ended
// on may also be pasted on stdin (the browser runs on another machine and
// cannot reach the listener); whichever the plugin takes first ends it.
func (c *command) loginBrowser(ctx context.Context, inst *engine.Instance, ref api.ProfileRef, open, paste bool) (*api.Session, error) {
	l, err := loopback.Listen(loopback.Options{Host: c.redirectHost, Port: c.redirectPort, Path: c.redirectPath})
	if err != nil {
		return nil, &api.Error{Code: api.CodeBadInput, Message: err.Error()}
	}
	defer l.Close()
	begun, err := inst.LoginBegin(ctx, api.LoginBeginInput{ProfileRef: ref, RedirectURI: l.RedirectURI(), OpenBrowser: open})
	c.phase("login begin")
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(c.env.Stderr, "Waiting for the browser to come back to %s ...\n", l.RedirectURI())

	type outcome struct {
		session *api.Session
		err     error
	}
	var (
		mu       sync.Mutex // the instance runs one call at a time
		finished bool
	)
	// complete hands one candidate callback to the plugin. Any local
	// process can reach the listener, so whether a request is this login's
	// callback is the plugin's decision: it answers callback_rejected for
	// one that fails validation and leaves the login pending, and the wait
	// goes on. Any other answer ends the login. handled is false once the
	// login has already ended.
	complete := func(callbackURL string) (o outcome, ended, handled bool) {
		mu.Lock()
		defer mu.Unlock()
		if finished {
			return outcome{}, false, false
		}
		c.phase("browser")
		s, err := inst.LoginComplete(ctx, api.LoginCompleteInput{FlowID: begun.FlowID, CallbackURL: callbackURL})
		c.phase("login complete")
		var fe *api.Error
		if errors.As(err, &fe) && fe.Code == api.CodeCallback {
			fmt.Fprintf(c.env.Stderr, "Ignored a redirect that is not this sign-in's: %v\nStill waiting for the browser to come back to %s ...\n", err, l.RedirectURI())
			return outcome{err: err}, false, true
		}
		finished = true
		return outcome{s, err}, true, true
	}

	wctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	results := make(chan outcome, 2)
	go func() {
		_, err := l.Wait(wctx, func(callbackURL string) loopback.Verdict {
			o, ended, handled := complete(callbackURL)
			switch {
			case !handled:
				return loopback.Verdict{Done: true, Page: loopback.Page{Title: "Already handled", Message: "This sign-in was completed with the URL pasted in the terminal. You can close this tab."}}
			case !ended:
				return loopback.Verdict{Page: loopback.Page{Title: "Not this sign-in", Message: o.err.Error() + " The terminal is still waiting for the sign-in it started."}}
			}
			results <- o
			if o.err != nil {
				return loopback.Verdict{Done: true, Page: loopback.Page{Title: "Sign-in failed", Message: o.err.Error() + " Return to the terminal for details."}}
			}
			return loopback.Verdict{Done: true, Page: loopback.Page{Success: true, Title: "Signed in", Message: "You are signed in. You can close this tab and return to the terminal."}}
		})
		if err != nil {
			results <- outcome{err: err}
		}
	}()
	pasted := make(chan string)
	if paste {
		fmt.Fprintln(c.env.Stderr, "If the page does not load (the browser runs on another machine), copy the full URL from its address bar, paste it here and press Enter.")
		go c.readPastedRedirects(wctx, l.RedirectURI(), pasted)
	}
	for {
		select {
		case o := <-results:
			return o.session, o.err
		case u := <-pasted:
			if o, ended, _ := complete(u); ended {
				return o.session, o.err
			}
		}
	}
}

// readPastedRedirects reads lines from stdin and passes on those that look
// like the redirect this login waits for. Anything else gets a hint and
// another chance before it reaches the plugin. Whether the URL is genuine
// (state, issuer, code) is the plugin's decision; one it rejects leaves the
// login waiting for another. Without a redirectURI (the MCP sign-in picks
// its listener later) every line goes to the plugin.
func (c *command) readPastedRedirects(ctx context.Context, redirectURI string, out chan<- string) {
	want, _ := url.Parse(redirectURI)
	in := bufio.NewScanner(c.env.Stdin)
	in.Buffer(make([]byte, 0, 4096), 64<<10)
	for in.Scan() {
		line := strings.TrimSpace(in.Text())
		if line == "" {
			continue
		}
		if !strings.Contains(line, "://") { // some address bars hide the scheme
			line = "http://" + line
		}
		u, err := url.Parse(line)
		if redirectURI != "" && (err != nil || !strings.EqualFold(u.Host, want.Host) || u.Path != want.Path || u.RawQuery == "") {
			fmt.Fprintf(c.env.Stderr, "That is not the address this login waits for; it starts with %s? and goes on with code= or error=. Paste the whole URL from the address bar.\n", redirectURI)
			continue
		}
		select {
		case out <- line:
		case <-ctx.Done():
			return
		}
	}
}
