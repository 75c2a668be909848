package cli

import (
	"context"
	"fmt"
	"github.com/wasmlogin/wasmlogin/host/engine"
	"github.com/wasmlogin/wasmlogin/host/profiles"
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// withProfile resolves the profile and starts a plugin instance whose
// sandbox may reach only that profile's origins and secrets.
func (c *command) withProfile(ctx context.Context, run func(profile api.ProfileRef, inst *engine.Instance) error) error {
	ix, err := c.loadIndex()
	if err != nil {
		return err
	}
	name, entry, err := c.findProfile(ix)
	if err != nil {
		return err
	}
	inst, guard, done, err := c.start(ctx, entry.Allowed, []string{name})
	if err != nil {
		return err
	}
	defer done()
	guard.SetIssuer(entry.Provider.Issuer)
	// Loading runs in parallel across processes; the call, which may
	// refresh and rotate, runs one process at a time per profile.
	dir, err := profiles.Dir(c.env.Getenv)
	if err != nil {
		return err
	}
	unlock, err := profiles.Lock(ctx, dir, name)
	if err != nil {
		return err
	}
	defer unlock()
	return run(api.ProfileRef{Profile: name}, inst)
}

// token prints only the access token on stdout, so $(host token) works.
func (c *command) token(ctx context.Context) error {
	t, err := c.currentToken(ctx)
	switch {
	case err != nil:
		return err
	case c.jsonOut:
		c.printJSON(t)
	case c.headerOut:
		fmt.Fprintln(c.env.Stdout, header(t))
	default:
		fmt.Fprintln(c.env.Stdout, t.AccessToken)
	}
	return nil
}

func expiryText(unix int64) string {
	if unix == 0 {
		return "unknown (the server did not say)"
	}
	t := time.Unix(unix, 0)
	left := time.Until(t).Round(time.Second)
	if left <= 0 {
		return fmt.Sprintf("%s (expired; the next token call refreshes it)", t.Format(time.RFC3339))
	}
	return fmt.Sprintf("%s (in %s)", t.Format(time.RFC3339), left)
}
