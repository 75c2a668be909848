package cli

import (
	"context"
	"fmt"
	"github.com/wasmlogin/wasmlogin/host/profiles"
	"slices"
	"strings"
	"time"

	"github.com/wasmlogin/wasmlogin/host/engine"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// status shows who is signed in; it prints no token.
func (c *command) status(ctx context.Context) error {
	return c.withProfile(ctx, func(ref api.ProfileRef, inst *engine.Instance) error {
		s, err := inst.Status(ctx, ref)
		if err != nil {
			return err
		}
		if c.jsonOut {
			c.printJSON(s)
			return nil
		}
		w := c.env.Stdout
		if s.Resource != "" { // an MCP server's sign-in (mcp status)
			fmt.Fprintf(w, "Server:   %s\n", s.Resource)
		}
		fmt.Fprintf(w, "Profile:  %s\nIssuer:   %s\nClient:   %s\n", s.Profile, orDash(s.Issuer), s.ClientID)
		fmt.Fprintf(w, "Subject:  %s\nExpires:  %s\n", orDash(s.Subject), expiryText(s.ExpiresAt))
		fmt.Fprintf(w, "Refresh:  %v\nScopes:   %s\n", s.HasRefreshToken, strings.Join(s.Scopes, " "))
		keys := make([]string, 0, len(s.Claims))
		for k := range s.Claims {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if len(keys) > 0 {
			fmt.Fprintln(w, "Claims:")
			for _, k := range keys {
				fmt.Fprintf(w, "  %s: %s\n", k, claimText(k, s.Claims[k]))
			}
		}
		return nil
	})
}

// logout forgets the profile's secrets and its index entry.
func (c *command) logout(ctx context.Context) error {
	return c.withProfile(ctx, func(ref api.ProfileRef, inst *engine.Instance) error {
		name := ref.Profile
		r, err := inst.Logout(ctx, ref)
		if err != nil {
			return err
		}
		if err := c.updateIndex(ctx, func(ix *profiles.Index) error {
			delete(ix.Profiles, name)
			if ix.Default == name {
				ix.Default = ""
			}
			return nil
		}); err != nil {
			return err
		}
		if c.jsonOut {
			c.printJSON(r)
			return nil
		}
		fmt.Fprintln(c.env.Stderr, logoutText(name, r))
		return nil
	})
}

// claimText shows whole numbers as integers, and the OIDC time claims as
// dates too, instead of JSON's float notation.
func claimText(name string, v any) string {
	f, ok := v.(float64)
	if !ok || f != float64(int64(f)) {
		return fmt.Sprint(v)
	}
	switch name {
	case "exp", "iat", "auth_time", "nbf", "updated_at":
		return fmt.Sprintf("%d (%s)", int64(f), time.Unix(int64(f), 0).UTC().Format(time.RFC3339))
	}
	return fmt.Sprint(int64(f))
}
