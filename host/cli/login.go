package cli

import (
	"context"
	"fmt"
	"github.com/wasmlogin/wasmlogin/host/profiles"

	"github.com/wasmlogin/wasmlogin/host/loopback"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// login runs the browser flow: listen on loopback, let the plugin build the
// authorization URL, wait for exactly one callback and let the plugin judge it.
func (c *command) login(ctx context.Context) error {
	ix, err := c.loadIndex()
	if err != nil {
		return err
	}
	p := c.provider
	if p.Issuer == "" && p.ClientID == "" && p.TokenEndpoint == "" && c.profile != "" {
		if e, ok := ix.Profiles[c.profile]; ok { // log in again with what the profile used
			p = e.Provider
			p.PromptClientSecret = c.provider.PromptClientSecret
		}
	}
	if p.ClientID == "" || (p.Issuer == "" && p.TokenEndpoint == "") {
		return &api.Error{Code: api.CodeBadInput, Message: "login needs --issuer and --client-id (see --help)"}
	}
	if c.secretEnv != "" {
		if p.ClientSecret = c.env.Getenv(c.secretEnv); p.ClientSecret == "" {
			return &api.Error{Code: api.CodeBadInput, Message: fmt.Sprintf("--client-secret-env %s: that environment variable is empty", c.secretEnv)}
		}
	}
	services, guard, err := c.services([]string{p.Issuer, p.AuthorizationEndpoint, p.TokenEndpoint, p.JWKSURI})
	if err != nil {
		return err
	}
	inst, done, err := c.instance(ctx, services)
	if err != nil {
		return err
	}
	defer done()
	l, err := loopback.Listen(loopback.Options{Host: c.redirectHost, Port: c.redirectPort, Path: c.redirectPath})
	if err != nil {
		return &api.Error{Code: api.CodeBadInput, Message: err.Error()}
	}
	defer l.Close()

	begun, err := inst.LoginBegin(ctx, api.LoginBeginInput{
		ProfileRef:  api.ProfileRef{Profile: c.profile, Provider: &p},
		RedirectURI: l.RedirectURI(), OpenBrowser: !c.noOpen})
	if err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stderr, "Waiting for the browser to come back to %s ...\n", l.RedirectURI())
	wctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var session *api.Session
	var flowErr error
	_, err = l.Wait(wctx, func(callbackURL string) loopback.Page {
		session, flowErr = inst.LoginComplete(ctx, api.LoginCompleteInput{FlowID: begun.FlowID, CallbackURL: callbackURL})
		if flowErr != nil {
			return loopback.Page{Title: "Sign-in failed", Message: flowErr.Error() + " Return to the terminal for details."}
		}
		return loopback.Page{Success: true, Title: "Signed in", Message: "You are signed in. You can close this tab and return to the terminal."}
	})
	if err != nil {
		return err
	}
	if flowErr != nil {
		return flowErr
	}
	p.ClientSecret = ""
	if err := c.updateIndex(ctx, func(ix *profiles.Index) error {
		ix.Profiles[session.Profile] = profiles.Entry{Provider: p, Allowed: guard.Allowed()}
		ix.Default = session.Profile
		return nil
	}); err != nil {
		return fmt.Errorf("signed in, but the profile index could not be saved: %w", err)
	}
	if c.jsonOut {
		c.printJSON(session)
		return nil
	}
	who := session.Subject
	if name, ok := session.Claims["email"].(string); ok {
		who = name
	}
	fmt.Fprintf(c.env.Stderr, "Signed in to %s", orDash(session.Issuer))
	if who != "" {
		fmt.Fprintf(c.env.Stderr, " as %s", who)
	}
	fmt.Fprintf(c.env.Stderr, " (profile %q).\n", session.Profile)
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
