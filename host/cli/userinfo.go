package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/wasmlogin/wasmlogin/host/engine"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// userinfo shows what the provider's userinfo endpoint says about the
// signed-in user. It is a command of its own rather than a status flag:
// status never touches the network, this uses (and may renew) the token.
func (c *command) userinfo(ctx context.Context) error {
	return c.withProfile(ctx, func(ref api.ProfileRef, inst *engine.Instance) error {
		u, err := inst.Userinfo(ctx, ref)
		if err != nil {
			return err
		}
		if c.jsonOut {
			c.printJSON(u)
			return nil
		}
		keys := make([]string, 0, len(u.Claims))
		for k := range u.Claims {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		fmt.Fprintf(c.env.Stdout, "Profile:  %s\nUserinfo:\n", u.Profile)
		for _, k := range keys {
			fmt.Fprintf(c.env.Stdout, "  %s: %s\n", k, claimText(k, u.Claims[k]))
		}
		return nil
	})
}

// logoutText says what logout did at the server and here.
func logoutText(name string, r *api.LogoutResult) string {
	if !r.Removed {
		return fmt.Sprintf("Profile %q had no stored tokens; it was removed from the profile list.", name)
	}
	var parts []string
	if len(r.Revoked) > 0 {
		parts = append(parts, "revoked the "+tokenKinds(r.Revoked)+" at the server")
	}
	if r.RevocationNote != "" {
		parts = append(parts, r.RevocationNote)
	}
	switch {
	case len(parts) == 0:
		return fmt.Sprintf("Signed out of profile %q; its sign-in was deleted from this machine.", name)
	case r.RevocationNote == "":
		return fmt.Sprintf("Signed out of profile %q: %s, and deleted them from this machine.", name, parts[0])
	}
	return fmt.Sprintf("Signed out of profile %q: %s; forgot them locally.", name, strings.Join(parts, "; "))
}

// tokenKinds turns ["refresh_token", "access_token"] into words.
func tokenKinds(kinds []string) string {
	if len(kinds) == 2 {
		return "refresh and access tokens"
	}
	return strings.ReplaceAll(kinds[0], "_", " ")
}

// readOneToken reads a token piped to stdin: one line, nothing else.
func readOneToken(r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return "", &api.Error{Code: api.CodeBadInput, Message: fmt.Sprintf("--subject-token-stdin: reading stdin: %v", err)}
	}
	tok := strings.TrimSpace(string(b))
	switch {
	case tok == "":
		return "", &api.Error{Code: api.CodeBadInput, Message: "--subject-token-stdin: stdin is empty; pipe the token in, e.g. host token --profile user | host exchange ... --subject-token-stdin"}
	case strings.ContainsAny(tok, " \t\r\n"):
		return "", &api.Error{Code: api.CodeBadInput, Message: "--subject-token-stdin: stdin holds more than one token; give exactly one"}
	}
	return tok, nil
}
