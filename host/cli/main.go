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
	"strings"
	"time"

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
	// FillCacheInBackground says this program is the wasmlogin executable
	// and may start itself to compile the plugin into the cache: a command
	// that finds no compiled plugin then runs it interpreted (see
	// cachefill.go). Embedders leave it false and compile in process.
	FillCacheInBackground bool
}

// Std is the process's own environment.
func Std() Env {
	return Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
}

// command holds one invocation's flags.
type command struct {
	env          Env
	name         string
	profile      string
	provider     api.Provider
	scopes       string
	secretEnv    string
	jsonOut      bool
	verbose      bool // trace the plugin's HTTP, redacted
	store        string
	forceRefresh bool
	headerOut    bool   // token --header
	gitUsername  string // git-credential --username
	tokenEnv     string // exec --env
	noOpen       bool
	noBrowser    bool // login --no-browser: no browser here, paste the redirect
	device       bool // login --device
	timeout      time.Duration
	redirectHost string
	redirectPort int
	redirectPath string
	presetName   string            // login --provider
	tenant       string            // login --tenant
	lastPhase    time.Time         // for WASMLOGIN_TIMING
	spent        phaseSpend        // for WASMLOGIN_TIMING
	opened       secretstore.Store // openStore's result: the file store derives its key once

	machine machineFlags // login --client-credentials, exchange (machine.go)
}

// Main runs one command line and returns the process exit code.
func Main(ctx context.Context, args []string, env Env) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(env.Stdout, usageText)
		if len(args) == 0 {
			return ExitUsage
		}
		return ExitOK
	}
	if args[0] == fillCacheCommand {
		return fillCache(ctx, env)
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
	}[c.name]
	if run == nil {
		fmt.Fprintf(env.Stderr, "unknown command %q; run with --help to see the commands\n", c.name)
		return ExitUsage
	}
	fs := c.flags()
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(env.Stdout, usageText)
			return ExitOK
		}
		return ExitUsage
	}
	rest = fs.Args()
	switch {
	case c.name == "git-credential" && len(rest) != 1:
		fmt.Fprintln(env.Stderr, "git-credential: git calls it with one action: get, store or erase")
		return ExitUsage
	case c.name == "use" && len(rest) != 1:
		fmt.Fprintln(env.Stderr, "use: name one profile, e.g. use work (profiles lists them)")
		return ExitUsage
	case c.name != "exec" && c.name != "git-credential" && c.name != "use" && len(rest) > 0:
		fmt.Fprintf(env.Stderr, "%s: unexpected argument %q; see --help\n", c.name, rest[0])
		return ExitUsage
	}
	if c.scopes != "" {
		c.provider.Scopes = strings.Fields(strings.ReplaceAll(c.scopes, ",", " "))
	}
	c.phase("start")
	err := run(ctx)
	c.phase("run")
	if err != nil {
		return c.fail(err)
	}
	return ExitOK
}

func (c *command) flags() *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(c.env.Stderr)
	fs.Usage = func() { fmt.Fprintf(c.env.Stderr, "run with --help for the flags of %s\n", c.name) }
	fs.StringVar(&c.profile, "profile", "", "")
	fs.StringVar(&c.provider.Issuer, "issuer", "", "")
	fs.StringVar(&c.provider.ClientID, "client-id", "", "")
	fs.BoolVar(&c.jsonOut, "json", false, "")
	fs.BoolVar(&c.verbose, "verbose", false, "")
	fs.StringVar(&c.store, "store", "", "")
	switch c.name {
	case "login":
		fs.StringVar(&c.scopes, "scopes", "", "")
		fs.StringVar(&c.provider.AuthorizationEndpoint, "auth-url", "", "")
		fs.StringVar(&c.provider.TokenEndpoint, "token-url", "", "")
		fs.StringVar(&c.provider.JWKSURI, "jwks-url", "", "")
		fs.Func("auth-param", "", func(kv string) error {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				return fmt.Errorf("--auth-param wants NAME=VALUE, got %q", kv)
			}
			if c.provider.ExtraAuthParams == nil {
				c.provider.ExtraAuthParams = map[string]string{}
			}
			c.provider.ExtraAuthParams[k] = v
			return nil
		})
		fs.StringVar(&c.secretEnv, "client-secret-env", "", "")
		fs.BoolVar(&c.provider.PromptClientSecret, "client-secret-prompt", false, "")
		fs.StringVar(&c.redirectHost, "redirect-host", "", "") // "" is 127.0.0.1 unless a preset says otherwise
		fs.StringVar(&c.presetName, "provider", "", "")
		fs.StringVar(&c.tenant, "tenant", "", "")
		fs.IntVar(&c.redirectPort, "redirect-port", 0, "")
		fs.StringVar(&c.redirectPath, "redirect-path", "/callback", "")
		fs.BoolVar(&c.noOpen, "no-open", false, "")
		fs.BoolVar(&c.noBrowser, "no-browser", false, "")
		fs.BoolVar(&c.device, "device", false, "")
		fs.StringVar(&c.provider.DeviceAuthorizationEndpoint, "device-url", "", "")
		fs.DurationVar(&c.timeout, "timeout", 5*time.Minute, "")
	case "token":
		fs.BoolVar(&c.forceRefresh, "force-refresh", false, "")
		fs.BoolVar(&c.headerOut, "header", false, "")
	case "git-credential":
		fs.StringVar(&c.gitUsername, "username", "oauth2", "")
	case "exec":
		fs.StringVar(&c.tokenEnv, "env", "ACCESS_TOKEN", "")
	}
	c.machine.register(c, fs)
	return fs
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
