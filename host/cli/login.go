package cli

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	"github.com/wasmlogin/wasmlogin/host/profiles"
	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/flow"
)

// errCancelled ends a login the user interrupted (Ctrl-C): one word, no
// stack trace, a non-zero exit.
var errCancelled = errors.New("cancelled")

// login asks the plugin which flow fits this machine and server, runs it
// (browser: loopback redirect or a pasted URL; device: a code to enter
// elsewhere) and records the profile.
func (c *command) login(ctx context.Context) error {
	err := c.runLogin(ctx)
	if err != nil && ctx.Err() != nil {
		return errCancelled
	}
	return err
}

func (c *command) runLogin(ctx context.Context) error {
	if c.machine.clientCredentials {
		return c.clientLogin(ctx) // machine.go
	}
	ix, err := c.loadIndex()
	if err != nil {
		return err
	}
	p, err := c.loginProvider(ix, "login needs --issuer and --client-id (see --help)", true)
	if err != nil {
		return err
	}
	name, err := c.newProfileName(ix, &p)
	if err != nil {
		return err
	}
	// The host gives every origin it knows up front; discovery may add the
	// issuer's own back-channel endpoints (httpguard.SetIssuer).
	origins := append([]string{p.Issuer, p.AuthorizationEndpoint, p.TokenEndpoint, p.JWKSURI, p.DeviceAuthorizationEndpoint, p.RevocationEndpoint}, c.presetOrigins...)
	inst, guard, done, err := c.start(ctx, origins, []string{name})
	if err != nil {
		return err
	}
	defer done()
	guard.SetIssuer(p.Issuer)

	ref := api.ProfileRef{Profile: name, Provider: &p}
	where := detectSession(c.env.Getenv, runtime.GOOS, c.env.OpenBrowser != nil)
	choice, err := inst.LoginChoose(ctx, api.LoginChooseInput{ProfileRef: ref, Prefer: c.preferredFlow(),
		BrowserUsable: where.browserUsable, Remote: where.remote})
	c.phase("choose flow")
	if err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stderr, "Signing in with the %s flow: %s.\n", choice.Flow, choice.Reason)
	open := where.browserUsable && !c.noOpen && !c.noBrowser
	var session *api.Session
	if choice.Flow == "device" {
		session, err = c.loginDevice(ctx, inst, ref, open)
	} else {
		// Where the browser may run elsewhere, its redirect may never reach
		// the listener: then the user pastes the URL it ended on.
		session, err = c.loginBrowser(ctx, inst, ref, open, c.noBrowser || where.remote)
	}
	if err != nil {
		return err
	}
	if err := c.updateIndex(ctx, func(ix *profiles.Index) error {
		entry := c.entryFor(p, guard.Allowed())
		entry.GitHosts = c.keptGitHosts(ix, session.Profile)
		ix.Profiles[session.Profile] = entry
		ix.Default = session.Profile
		return nil
	}); err != nil {
		return fmt.Errorf("signed in, but the profile index could not be saved: %w", err)
	}
	c.phase("save profile")
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

// newProfileName is the profile a login stores: --profile, or the name the
// plugin derives from the issuer and client (flow.DeriveProfile), worked
// out here so that the instance is granted that profile, and only it,
// before it starts. A name already in the index is kept as it is, so
// profiles from before names were checked still sign in again.
func (c *command) newProfileName(ix *profiles.Index, p *api.Provider) (string, error) {
	name := c.profile
	if name == "" {
		name = flow.DeriveProfile(p)
	}
	if _, known := ix.Profiles[name]; known {
		return name, nil
	}
	if err := profiles.CheckName(name); err != nil {
		msg := fmt.Sprintf("--profile %q cannot be used: %v", name, err)
		if c.profile == "" {
			msg = fmt.Sprintf("the profile name made from the issuer and client, %q, cannot be used: %v; name the profile with --profile NAME", name, err)
		}
		return "", &api.Error{Code: api.CodeBadInput, Message: msg}
	}
	return name, nil
}

// preferredFlow is the user's explicit wish, if any: --device; or
// --no-browser, which asks for the browser flow with a pasted redirect;
// or --no-open, whose help promises the browser flow's URL, printed: on a
// machine without a display it must not turn into a device code.
func (c *command) preferredFlow() string {
	switch {
	case c.device:
		return "device"
	case c.noBrowser, c.noOpen:
		return "browser"
	}
	return ""
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// loginProvider is the provider a login uses: the flags, or, for a bare
// --profile, what that profile used last time; a preset when asked; and
// the client secret from the environment variable the user named.
func (c *command) loginProvider(ix *profiles.Index, missing string, presets bool) (api.Provider, error) {
	p := c.provider
	if p.Issuer == "" && p.ClientID == "" && p.TokenEndpoint == "" && c.profile != "" {
		if e, ok := ix.Profiles[c.profile]; ok {
			p = e.Provider
			p.PromptClientSecret = c.provider.PromptClientSecret
		}
	}
	if presets {
		if err := c.applyPreset(&p, ix); err != nil {
			return p, err
		}
	}
	p.Scopes = c.scopesFor(&p) // validate.go
	if p.ClientID == "" || (p.Issuer == "" && p.TokenEndpoint == "") {
		return p, &api.Error{Code: api.CodeBadInput, Message: missing}
	}
	if c.secretEnv != "" {
		if p.ClientSecret = c.env.Getenv(c.secretEnv); p.ClientSecret == "" {
			return p, &api.Error{Code: api.CodeBadInput, Message: fmt.Sprintf("--client-secret-env %s: that environment variable is empty", c.secretEnv)}
		}
	}
	return p, nil
}
