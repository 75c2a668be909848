package cli

import (
	"context"
	"fmt"
	"github.com/wasmlogin/wasmlogin/host/profiles"
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// withProfile resolves the profile and starts a plugin instance whose
// sandbox may reach only that profile's origins.
func (c *command) withProfile(ctx context.Context, run func(name string, e profiles.Entry, call callFn) error) error {
	ix, err := c.loadIndex()
	if err != nil {
		return err
	}
	name, entry, err := ix.Find(c.profile, &c.provider)
	if err != nil {
		return err
	}
	services, _, err := c.services(entry.Allowed)
	if err != nil {
		return err
	}
	inst, done, err := c.instance(ctx, services)
	if err != nil {
		return err
	}
	defer done()
	return run(name, entry, callFn{ctx: ctx, inst: inst, ref: api.ProfileRef{Profile: name}})
}

// token prints only the access token on stdout, so $(host token) works.
func (c *command) token(ctx context.Context) error {
	return c.withProfile(ctx, func(_ string, _ profiles.Entry, call callFn) error {
		t, err := call.inst.Token(ctx, api.TokenInput{ProfileRef: call.ref, ForceRefresh: c.forceRefresh})
		c.phase("token call")
		if err != nil {
			return err
		}
		if c.jsonOut {
			c.printJSON(t)
			return nil
		}
		fmt.Fprintln(c.env.Stdout, t.AccessToken)
		return nil
	})
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
