package mcpclient

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/wasmlogin/wasmlogin/host/loopback"
	"github.com/wasmlogin/wasmlogin/host/profiles"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// defaultLoginTimeout is how long the browser is waited for.
const defaultLoginTimeout = 5 * time.Minute

// authorize asks the plugin to authorize for the challenge and finishes
// what it answers: a token at once, or a browser step on a loopback
// listener, then the token. It records the sign-in in profiles.json with
// the origins the sandbox learned, so later processes reach the token
// endpoint before any challenge.
func (t *Transport) authorize(ctx context.Context, ch *api.MCPChallenge, attempt int) (string, error) {
	client := t.opts.Client
	in := api.MCPAuthorizeInput{ServerURL: t.server, Challenge: ch, Attempt: attempt, Client: &client,
		Grant: t.opts.Grant, IdentityAssertion: t.opts.IdentityAssertion, Scopes: t.opts.Scopes, OpenBrowser: !t.opts.NoOpen}
	var l *loopback.Listener
	if in.Grant == "" || in.Grant == api.GrantAuthorizationCode {
		var err error
		if l, err = loopback.Listen(t.opts.Redirect); err != nil {
			return "", &api.Error{Code: api.CodeBadInput, Message: err.Error()}
		}
		defer l.Close()
		in.RedirectURI = l.RedirectURI()
	}
	var out *api.MCPAuthorized
	if err := t.locked(ctx, func() (err error) {
		out, err = t.inst.MCPAuthorize(ctx, in)
		return err
	}); err != nil {
		return "", err
	}
	tok := out.Token
	if out.Login != nil {
		if err := t.waitForBrowser(ctx, l, out.Login); err != nil {
			return "", err
		}
		if err := t.locked(ctx, func() (err error) {
			tok, err = t.inst.Token(ctx, api.TokenInput{ProfileRef: api.ProfileRef{Profile: t.profile}})
			return err
		}); err != nil {
			return "", err
		}
	}
	t.remember(tok)
	if err := t.record(ctx, out.Issuer); err != nil {
		return "", err
	}
	return tok.AccessToken, nil
}

// waitForBrowser hands every request on the redirect path to the plugin
// until one ends the login: any local process can reach the listener, so a
// redirect the plugin rejects (callback_rejected) leaves the login waiting.
func (t *Transport) waitForBrowser(ctx context.Context, l *loopback.Listener, begun *api.LoginBegun) error {
	timeout := t.opts.LoginTimeout
	if timeout <= 0 {
		timeout = defaultLoginTimeout
	}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var (
		mu       sync.Mutex // one candidate at a time reaches the plugin
		finished bool
	)
	// complete hands one candidate redirect to the plugin; ended says it
	// ended the login (taken, or refused as this login's).
	complete := func(callbackURL string) (ended bool, err error) {
		mu.Lock()
		defer mu.Unlock()
		if finished {
			return false, nil
		}
		err = t.locked(ctx, func() error {
			_, err := t.inst.LoginComplete(ctx, api.LoginCompleteInput{FlowID: begun.FlowID, CallbackURL: callbackURL})
			return err
		})
		var fe *api.Error
		if errors.As(err, &fe) && fe.Code == api.CodeCallback {
			return false, err
		}
		finished = true
		return true, err
	}
	results := make(chan error, 2)
	go func() {
		_, err := l.Wait(wctx, func(callbackURL string) loopback.Verdict {
			ended, err := complete(callbackURL)
			switch {
			case !ended && err == nil:
				return loopback.Verdict{Done: true, Page: loopback.Page{Title: "Already handled", Message: "This sign-in was completed with a pasted URL. You can close this tab."}}
			case !ended:
				return loopback.Verdict{Page: loopback.Page{Title: "Not this sign-in", Message: err.Error()}}
			case err != nil:
				results <- err
				return loopback.Verdict{Done: true, Page: loopback.Page{Title: "Sign-in failed", Message: err.Error()}}
			}
			results <- nil
			return loopback.Verdict{Done: true, Page: loopback.Page{Success: true, Title: "Signed in",
				Message: "You are signed in to " + t.server + ". You can close this tab."}}
		})
		if err != nil {
			results <- err
		}
	}()
	for {
		select {
		case err := <-results:
			return err
		case u := <-t.opts.Pasted: // nil when not set: never ready
			if ended, err := complete(u); ended {
				return err
			} else if err != nil {
				t.notify("warn", err.Error())
			}
		}
	}
}

// record keeps the sign-in in profiles.json: which server and
// authorization server, and the origins its sandbox learned.
func (t *Transport) record(ctx context.Context, issuer string) error {
	s, err := t.inst.Status(ctx, api.ProfileRef{Profile: t.profile})
	if err != nil {
		return err
	}
	store := t.store.Name()
	if store != "keyring" && store != "file" {
		store = ""
	}
	return profiles.Update(ctx, t.dir, func(ix *profiles.Index) error {
		e := ix.Profiles[t.profile]
		e.Provider = api.Provider{Issuer: issuer, ClientID: s.ClientID}
		e.Allowed = t.guard.Allowed()
		e.Store = store
		e.MCPServer = t.server
		if t.opts.Network != (profiles.Network{}) {
			e.Network = t.opts.Network
		}
		ix.Profiles[t.profile] = e
		return nil
	})
}

// probe asks the server once without a token (a JSON-RPC ping, which any
// MCP server answers) and returns its challenge, or nil when it has none.
func (t *Transport) probe(ctx context.Context) (*api.MCPChallenge, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.server, strings.NewReader(`{"jsonrpc":"2.0","id":0,"method":"ping"}`))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	ch := challengeOf(resp)
	if ch != nil {
		t.guard.SetMCPChallenge(ch.WWWAuthenticate)
	}
	return ch, nil
}
