package cli

import (
	"context"
	"fmt"
	"github.com/wasmlogin/wasmlogin/host/profiles"
	"slices"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// profilesList shows every sign-in this machine knows, the default marked.
// It reads only the profile index: no secrets, no plugin.
func (c *command) profilesList(context.Context) error {
	ix, err := c.loadIndex()
	if err != nil {
		return err
	}
	names := make([]string, 0, len(ix.Profiles))
	for n := range ix.Profiles {
		names = append(names, n)
	}
	slices.Sort(names)
	if c.jsonOut {
		type row struct {
			Profile  string `json:"profile"`
			Issuer   string `json:"issuer,omitempty"`
			ClientID string `json:"client_id"`
			Default  bool   `json:"default"`
		}
		rows := []row{}
		for _, n := range names {
			p := ix.Profiles[n].Provider
			rows = append(rows, row{Profile: n, Issuer: p.Issuer, ClientID: p.ClientID, Default: n == ix.Default})
		}
		c.printJSON(rows)
		return nil
	}
	if len(names) == 0 {
		fmt.Fprintln(c.env.Stderr, "No profiles yet; run login.")
		return nil
	}
	for _, n := range names {
		mark := " "
		if n == ix.Default {
			mark = "*"
		}
		p := ix.Profiles[n].Provider
		where := p.Issuer
		if where == "" {
			where = p.TokenEndpoint
		}
		fmt.Fprintf(c.env.Stdout, "%s %s\t%s\t%s\n", mark, n, where, p.ClientID)
	}
	return nil
}

// use makes a profile the default for commands given no --profile.
func (c *command) use(ctx context.Context, name string) error {
	if err := c.updateIndex(ctx, func(ix *profiles.Index) error {
		if _, ok := ix.Profiles[name]; !ok {
			return &api.Error{Code: api.CodeBadInput, Message: fmt.Sprintf("no profile %q; `profiles` lists them", name)}
		}
		ix.Default = name
		return nil
	}); err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stderr, "Profile %q is now the default.\n", name)
	return nil
}
