package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/wasmlogin/wasmlogin/host/engine"
	"github.com/wasmlogin/wasmlogin/host/mcpclient"
	"github.com/wasmlogin/wasmlogin/host/signing"
	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/mcpauth"
)

// The mcp commands sign in to remote MCP servers (the MCP authorization
// profile) and bridge MCP clients to them. A sign-in is named after the
// server (mcp:<its canonical URL>), so the server's URL is all later
// commands need. The flows are the plugin's (mcp_authorize); login runs
// them through host/mcpclient, the library Go programs use, token, status
// and logout work on that profile, and proxy (mcp_proxy.go) carries an
// MCP client's messages to the server.

// mcpCommands are the subcommands of `mcp`, as command names, in the order
// the help shows them.
var mcpCommands = []string{"mcp login", "mcp token", "mcp status", "mcp logout", "mcp proxy"}

// mcpFlags are the mcp commands' own flags.
type mcpFlags struct {
	server             string // the positional URL, or --resource
	clientMetadataURL  string
	tokenAuthMethod    string
	privateKeyFile     string
	signingAlg         string
	idpTokenEndpoint   string // cross-app access (mcp_options.go)
	idpIDTokenEnv      string
	idpClientID        string
	idpClientSecretEnv string
}

// mcpArgs turns `mcp SUB ...` into the command "mcp SUB" and its
// arguments, with the server URL moved behind the flags wherever it was
// written (the flag package stops at the first argument). The proxy's
// command line is left as written: MCP clients start it from a
// configuration file, where its flags go before the URL (mcp_proxy.go).
func mcpArgs(args []string) ([]string, bool) {
	if len(args) < 2 || !isMCPCommand("mcp "+args[1]) {
		return args, false
	}
	rest := args[2:]
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") && args[1] != "proxy" {
		rest = append(append([]string{}, rest[1:]...), rest[0])
	}
	return append([]string{"mcp " + args[1]}, rest...), true
}

func isMCPCommand(name string) bool {
	for _, n := range mcpCommands {
		if n == name {
			return true
		}
	}
	return false
}

// mcpUsage answers `mcp` alone, `mcp --help` and an unknown `mcp NAME`.
// Only the help goes to stdout; an error goes to stderr alone, since an MCP
// client may be reading stdout.
func mcpUsage(args []string, env Env) int {
	switch {
	case len(args) == 1:
		fmt.Fprint(env.Stdout, mcpHelp(env.Program))
		return ExitUsage // as for the program without a command
	case args[1] == "--help" || args[1] == "-h" || args[1] == "help":
		fmt.Fprint(env.Stdout, mcpHelp(env.Program))
		return ExitOK
	}
	fmt.Fprintf(env.Stderr, "unknown command %q; `%s mcp --help` lists the mcp commands\n", "mcp "+args[1], env.Program)
	return ExitUsage
}

// mcpHelp is `PROG mcp --help`.
func mcpHelp(prog string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: %s mcp COMMAND [flags] URL\n\n"+
		"Sign in to remote MCP servers (the Model Context Protocol's authorization), and\n"+
		"bridge MCP clients that speak only stdio to them.\n\nCommands:\n", prog)
	for _, name := range mcpCommands {
		s, _ := specOf(name)
		fmt.Fprintf(&b, "  %-19s %s\n", s.name, wrap(firstSentence(s.summary), 22, 78))
	}
	fmt.Fprintf(&b, "\n`%s mcp COMMAND --help` lists the flags of one.\nExit codes and the environment: %s --help\n", prog, prog)
	return b.String()
}

// registerMCP adds the flags of the mcp commands.
func (c *command) registerMCP(fs *flag.FlagSet) {
	m := &c.mcp
	if c.name != "mcp proxy" { // the proxy takes the URL as its argument only
		fs.StringVar(&m.server, "resource", "", "the MCP server's `URL` (or give it as the argument)")
	}
	switch c.name {
	case "mcp login":
		c.mcpClientFlags(fs) // mcp_options.go
		fs.BoolVar(&c.noBrowser, "no-browser", false, "no browser here: print the URL, then paste the address the browser ends on")
		c.outputFlags(fs, "print the session as JSON on stdout")
		c.storeFlag(fs)
		c.networkFlags(fs)
	case "mcp token":
		c.outputFlags(fs, "print the token, its type and expiry as JSON")
		fs.BoolVar(&c.forceRefresh, "force-refresh", false, "refresh even if the access token is still valid")
		fs.BoolVar(&c.headerOut, "header", false, "print an \"Authorization: Bearer ...\" header line, for curl -H @-")
		c.pluginFlags(fs)
		c.networkFlags(fs)
	case "mcp status":
		c.outputFlags(fs, "print the session as JSON")
		c.storeFlag(fs)
	case "mcp logout":
		c.outputFlags(fs, "print the result as JSON")
		c.pluginFlags(fs)
		c.networkFlags(fs)
	case "mcp proxy": // stdin is the MCP client's, so no pasting (--no-browser)
		c.mcpClientFlags(fs)
		c.storeFlag(fs)
		c.networkFlags(fs)
	}
}

// mcpProfile resolves the server URL given to its profile; the commands
// after login then work on that profile like any other.
func (c *command) mcpProfile(rest []string) error {
	switch {
	case len(rest) > 1:
		return usageError("%s: give one MCP server URL, e.g. %s %s https://mcp.example.com/mcp", c.name, c.env.Program, c.name)
	case len(rest) == 1 && c.mcp.server != "" && rest[0] != c.mcp.server:
		return usageError("%s: the URL is given twice, as %q and --resource %q", c.name, rest[0], c.mcp.server)
	case len(rest) == 1:
		c.mcp.server = rest[0]
	case c.mcp.server == "":
		return usageError("%s needs the MCP server's URL, e.g. %s %s https://mcp.example.com/mcp", c.name, c.env.Program, c.name)
	}
	name, err := mcpauth.Profile(c.mcp.server)
	if err != nil {
		return usageError("%s: %v", c.name, err)
	}
	c.profile = name
	if c.name == "mcp login" {
		return nil
	}
	ix, err := c.loadIndex()
	if err != nil {
		return err
	}
	if _, ok := ix.Profiles[name]; !ok {
		return &api.Error{Code: api.CodeLoginRequired, Message: fmt.Sprintf("not signed in to %s (profile %q); run `%s mcp login %s` first",
			c.mcp.server, name, c.env.Program, c.mcp.server)}
	}
	return nil
}

// mcpLogin signs in to the server now, guided by the server's own
// challenge, and records the profile.
func (c *command) mcpLogin(ctx context.Context) error {
	opts, err := c.mcpOptions(ctx)
	if err != nil {
		return err
	}
	pasted := make(chan string)
	if c.noBrowser {
		opts.Pasted = pasted
		wctx, cancel := context.WithCancel(ctx)
		defer cancel()
		fmt.Fprintln(c.env.Stderr, "If the page does not load (the browser runs on another machine), copy the full URL from its address bar, paste it here and press Enter.")
		go c.readPastedRedirects(wctx, "", pasted) // login_browser.go
	}
	t, err := mcpclient.New(ctx, opts)
	if err != nil {
		return err
	}
	defer t.Close()
	if err := t.Login(ctx); err != nil {
		if ctx.Err() != nil {
			return errCancelled
		}
		return err
	}
	return c.withProfile(ctx, func(ref api.ProfileRef, inst *engine.Instance) error {
		s, err := inst.Status(ctx, ref)
		if err != nil {
			return err
		}
		if c.jsonOut {
			c.printJSON(s)
		}
		fmt.Fprintf(c.env.Stderr, "Signed in to %s with %s (profile %q).\n", s.Resource, s.Issuer, s.Profile)
		return nil
	})
}

// mcpLogout revokes and forgets the sign-in, and the private key the host
// kept for it.
func (c *command) mcpLogout(ctx context.Context) error {
	if err := c.logout(ctx); err != nil {
		return err
	}
	store, err := c.openStore()
	if err != nil {
		return err
	}
	return signing.DeleteKey(store, c.profile)
}
