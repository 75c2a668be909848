// Package cli is the reference runner: the login, token, status and logout
// commands. It parses flags, lends the plugin this machine's capabilities
// and prints what the plugin decided; the flows themselves are the plugin's.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/wasmlogin/wasmlogin/host/profiles"
	"github.com/wasmlogin/wasmlogin/host/secretstore"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// Env is the world a command runs in. Std() is the real one; the demo and
// tests replace parts of it.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Store, when set, replaces the store chosen by --store.
	Store secretstore.Store
	// OpenBrowser, when set, replaces $BROWSER and the OS default.
	OpenBrowser func(url string) error
	// Program is how the user invokes this program, for help and
	// messages (program.go); empty means "wasmlogin".
	Program string
	// FillCacheInBackground says this program is the wasmlogin executable
	// and may start itself to compile the plugin into the cache: a command
	// that finds no compiled plugin then runs it interpreted (see
	// cachefill.go). Embedders leave it false and compile in process.
	FillCacheInBackground bool
}

// Std is the process's own environment.
func Std() Env {
	return Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv,
		Program: ProgramName(os.Args[0], "")}
}

// command holds one invocation's flags.
type command struct {
	env           Env
	name          string
	profile       string
	provider      api.Provider
	scopes        string
	secretEnv     string
	jsonOut       bool
	verbose       bool // trace the plugin's HTTP, redacted
	store         string
	forceRefresh  bool
	headerOut     bool     // token --header
	gitUsername   string   // git-credential --username
	gitHosts      []string // login --git-host
	presetOrigins []string // the preset's origins beyond its issuer (presets.Preset.Origins)
	tokenEnv      string   // exec --env
	noOpen        bool
	noBrowser     bool // login --no-browser: no browser here, paste the redirect
	device        bool // login --device
	timeout       time.Duration
	redirectHost  string
	redirectPort  int
	redirectPath  string
	presetName    string            // login --provider
	tenant        string            // login --tenant
	lastPhase     time.Time         // for WASMLOGIN_TIMING
	spent         phaseSpend        // for WASMLOGIN_TIMING
	opened        secretstore.Store // openStore's result: the file store derives its key once
	network       profiles.Network  // --ca-file, --client-cert, --client-key
	recorded      profiles.Entry    // the index entry of the profile worked on (settings.go)

	machine machineFlags // login --client-credentials, exchange (machine.go)
	mcp     mcpFlags     // the mcp commands (mcp.go)
}

// Main runs one command line and returns the process exit code.
func Main(ctx context.Context, args []string, env Env) int {
	if env.Program == "" {
		env.Program = defaultProgram
	}
	if len(args) >= 2 && args[0] == "help" && args[1] == "mcp" { // help mcp [COMMAND]
		args = append(append([]string{"mcp"}, args[2:]...), "--help")
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) == 2 && args[0] == "help" { // help COMMAND
			if _, ok := specOf(args[1]); ok {
				args = []string{args[1], "--help"}
			}
		}
		if len(args) < 2 || args[1] != "--help" {
			fmt.Fprint(env.Stdout, overallHelp(env.Program))
			if len(args) == 0 {
				return ExitUsage
			}
			return ExitOK
		}
	}
	if args[0] == fillCacheCommand {
		return fillCache(ctx, env)
	}
	if args[0] == "mcp" {
		var ok bool
		if args, ok = mcpArgs(args); !ok {
			return mcpUsage(args, env) // mcp.go
		}
	}
	c := &command{env: env, name: args[0]}
	var rest []string // arguments after the flags, for exec and git-credential
	run := map[string]func(context.Context) error{
		"login": c.login, "token": c.token, "status": c.status, "logout": c.logout,
		"kubectl-credential": c.kubectlCredential,
		"git-credential":     func(ctx context.Context) error { return c.gitCredential(ctx, rest[0]) },
		"exec":               func(ctx context.Context) error { return c.execWithToken(ctx, rest) },
		"profiles":           c.profilesList,
		"use":                func(ctx context.Context) error { return c.use(ctx, rest[0]) },
		"exchange":           c.exchange,
		"userinfo":           c.userinfo,
		"mcp login":          c.mcpLogin,
		"mcp token":          c.token,
		"mcp status":         c.status,
		"mcp logout":         c.mcpLogout,
		"mcp proxy":          func(ctx context.Context) error { return c.mcpProxy(ctx, rest) },
	}[c.name]
	if run == nil {
		fmt.Fprintf(env.Stderr, "unknown command %q; `%s --help` lists the commands\n", c.name, env.Program)
		return ExitUsage
	}
	fs := c.flags()
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(env.Stdout, commandHelp(env.Program, c.name, fs))
			return ExitOK
		}
		fmt.Fprintf(env.Stderr, "%s: %s; `%s %s --help` lists its flags\n", c.name, parseErrorText(err), env.Program, c.name)
		return ExitUsage
	}
	rest = fs.Args()
	switch {
	case c.name == "git-credential" && len(rest) != 1:
		fmt.Fprintln(env.Stderr, "git-credential: git calls it with one action: get, store or erase")
		return ExitUsage
	case c.name == "use" && len(rest) != 1:
		fmt.Fprintf(env.Stderr, "use: name one profile, e.g. `%s use work` (`%s profiles` lists them)\n", env.Program, env.Program)
		return ExitUsage
	case c.name == "mcp proxy": // its own arguments (mcp_proxy.go)
	case isMCPCommand(c.name):
		if err := c.mcpProfile(rest); err != nil {
			return c.fail(err)
		}
	case c.name != "exec" && c.name != "git-credential" && c.name != "use" && len(rest) > 0:
		fmt.Fprintf(env.Stderr, "%s: unexpected argument %q; `%s %s --help` lists its flags\n", c.name, rest[0], env.Program, c.name)
		return ExitUsage
	}
	if err := c.checkFlags(); err != nil { // validate.go
		return c.fail(err)
	}
	c.phase("start")
	err := run(ctx)
	c.phase("run")
	if err != nil {
		return c.fail(err)
	}
	return ExitOK
}

// fail reports an error in the form asked for and picks the exit code.
func (c *command) fail(err error) int {
	var child childExit
	if errors.As(err, &child) {
		return int(child) // exec: the command's own status, nothing added
	}
	code := exitCode(err)
	if c.jsonOut {
		var fe *api.Error
		if !errors.As(err, &fe) {
			fe = &api.Error{Code: api.CodeInternal, Message: err.Error()}
		}
		c.printJSON(api.Reply[api.Empty]{Error: fe})
	}
	fmt.Fprintf(c.env.Stderr, "%s: %v\n", c.name, err)
	return code
}

func (c *command) printJSON(v any) {
	enc := json.NewEncoder(c.env.Stdout)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
