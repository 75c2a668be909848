package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/wasmlogin/wasmlogin/host/presets"
)

// Each command's flags are defined once, here and in machine.go, with the
// usage text its help prints (help.go), so what a command accepts and
// what its help lists cannot drift apart. A word in `backquotes` is the
// placeholder help shows for the flag's value.

// commandSpec is the rest of a command's help: what follows its name and
// what it is for.
type commandSpec struct {
	name, args, summary string
}

// commandSpecs lists the commands in the order the overall help shows them.
var commandSpecs = []commandSpec{
	{"login", "--issuer URL --client-id ID [flags]", "Sign in with your browser (authorization code with PKCE), or with a code entered on another device (RFC 8628) over SSH or without a display; --client-credentials signs a service client in as itself."},
	{"token", "[flags]", "Print a valid access token of a profile, refreshed when needed; only the token goes to stdout."},
	{"status", "[flags]", "Show who is signed in and until when; offline, no secrets printed."},
	{"logout", "[flags]", "Revoke the profile's tokens at the server (RFC 7009) and forget them here."},
	{"userinfo", "[flags]", "Show what the provider's userinfo endpoint says about the signed-in user."},
	{"profiles", "[flags]", "List the sign-ins on this machine; * marks the default."},
	{"use", "NAME", "Make profile NAME the default for commands given no --profile."},
	{"exchange", "--profile CLIENT (--subject-profile P | --subject-token-stdin) [flags]", "Trade a token for another (RFC 8693 token exchange) with a confidential client's profile; prints the issued token."},
	{"kubectl-credential", "[flags]", "Print the token as a client.authentication.k8s.io/v1 ExecCredential for kubectl."},
	{"git-credential", "[flags] get|store|erase", "Answer git's credential helper protocol with the token as the password."},
	{"exec", "[flags] -- CMD [ARGS...]", "Run CMD with the token in an environment variable, never in its arguments; exits with CMD's status."},
	{"mcp login", "URL [flags]", "Sign in to a remote MCP server (its authorization profile: resource metadata, the server's authorization server, a registered or given client, PKCE and the resource indicator); the server's challenge guides it."},
	{"mcp token", "URL [flags]", "Print a valid access token for an MCP server, refreshed (with its resource) when needed; only the token goes to stdout."},
	{"mcp status", "URL [flags]", "Show the MCP server's sign-in: its authorization server, client, scopes and expiry; no secrets printed."},
	{"mcp logout", "URL [flags]", "Revoke the MCP server's tokens where the server can, and forget them and the private key kept for it."},
	{"mcp proxy", "[flags] URL", "Bridge an MCP client that speaks only stdio (a desktop app, an editor) to the remote MCP server at URL over Streamable HTTP; " +
		"signed in as mcp login signs in (when the server asks), it passes every JSON-RPC message through unchanged, " +
		"shows the sign-in's URL and errors on stderr, and ends when the client closes its input."},
}

func specOf(name string) (commandSpec, bool) {
	for _, s := range commandSpecs {
		if s.name == name {
			return s, true
		}
	}
	return commandSpec{}, false
}

// flags defines the flags of c.name, and no others.
func (c *command) flags() *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // Main reports parse errors in its own words
	fs.Usage = func() {}
	switch c.name {
	case "login":
		c.loginFlags(fs)
		c.outputFlags(fs, "print the session as JSON on stdout")
		c.pluginFlags(fs)
		c.networkFlags(fs)
	case "token":
		c.selectFlags(fs)
		c.outputFlags(fs, "print the token, its type and expiry as JSON")
		fs.BoolVar(&c.forceRefresh, "force-refresh", false, "refresh even if the access token is still valid")
		fs.BoolVar(&c.headerOut, "header", false, "print an \"Authorization: Bearer ...\" header line, for curl -H @-")
		c.pluginFlags(fs)
		c.networkFlags(fs)
	case "status":
		c.selectFlags(fs)
		c.outputFlags(fs, "print the session as JSON, ID token claims included")
		c.storeFlag(fs)
	case "logout", "userinfo":
		c.selectFlags(fs)
		c.outputFlags(fs, "print the result as JSON")
		c.pluginFlags(fs)
		c.networkFlags(fs)
	case "profiles":
		c.outputFlags(fs, "print the profiles as a JSON array")
	case "exchange":
		c.selectFlags(fs)
		c.outputFlags(fs, "print the issued token with its type and expiry as JSON")
		c.pluginFlags(fs)
		c.networkFlags(fs)
	case "kubectl-credential":
		c.selectFlags(fs)
		c.pluginFlags(fs)
		c.networkFlags(fs)
	case "git-credential":
		c.selectFlags(fs)
		fs.StringVar(&c.gitUsername, "username", "oauth2", "the `user` name git is given beside the token")
		c.pluginFlags(fs)
		c.networkFlags(fs)
	case "mcp login", "mcp token", "mcp status", "mcp logout", "mcp proxy":
		c.registerMCP(fs)
	case "exec":
		c.selectFlags(fs)
		fs.StringVar(&c.tokenEnv, "env", "ACCESS_TOKEN", "the environment `variable` that carries the token")
		c.pluginFlags(fs)
		c.networkFlags(fs)
	}
	c.machine.register(c, fs)
	return fs
}

// loginFlags say which provider and client to sign in with, and how.
func (c *command) loginFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.profile, "profile", "", "`name` of this sign-in (default: derived from the issuer and client); keeps several apart")
	fs.StringVar(&c.presetName, "provider", "", "start from the preset `name`: "+strings.Join(presets.Names(), ", ")+" (endpoints, scopes, quirks); any flag overrides it")
	fs.StringVar(&c.tenant, "tenant", "", "(--provider microsoft) the tenant `ID`, organizations or common (the default)")
	fs.StringVar(&c.provider.Issuer, "issuer", "", "the provider's issuer `URL`; its discovery document supplies the endpoints")
	fs.StringVar(&c.provider.ClientID, "client-id", "", "the OAuth client `ID` registered for this app")
	fs.StringVar(&c.scopes, "scopes", "", "`scopes` to ask for, separated by spaces (default: openid, and offline_access when offered)")
	fs.StringVar(&c.provider.AuthorizationEndpoint, "auth-url", "", "authorization endpoint `URL`, for servers without discovery (GitHub, Strava)")
	fs.StringVar(&c.provider.TokenEndpoint, "token-url", "", "token endpoint `URL`, for servers without discovery")
	fs.StringVar(&c.provider.JWKSURI, "jwks-url", "", "`URL` of the key set for ID tokens when there is no discovery")
	fs.StringVar(&c.provider.DeviceAuthorizationEndpoint, "device-url", "", "device authorization endpoint `URL`, for servers without discovery")
	fs.Func("auth-param", "extra authorization parameter `NAME=VALUE`, repeatable (access_type=offline for Google)", func(kv string) error {
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
	fs.StringVar(&c.secretEnv, "client-secret-env", "", "read a confidential client's secret from the environment `variable` (then kept in the secret store)")
	fs.BoolVar(&c.provider.PromptClientSecret, "client-secret-prompt", false, "ask for the client secret on the terminal, without echo")
	// "" is 127.0.0.1 unless a preset says otherwise.
	fs.StringVar(&c.redirectHost, "redirect-host", "", "loopback `host` in the redirect URI: 127.0.0.1 (default), localhost or [::1]")
	fs.IntVar(&c.redirectPort, "redirect-port", 0, "fixed `port` for providers that demand one (default: the OS picks a free one)")
	fs.StringVar(&c.redirectPath, "redirect-path", "/callback", "`path` of the redirect URI")
	fs.BoolVar(&c.noOpen, "no-open", false, "the browser flow, but only print the URL: do not start a browser")
	fs.BoolVar(&c.noBrowser, "no-browser", false, "the browser flow without a browser here: print the URL, then paste the address the browser ends on")
	fs.BoolVar(&c.device, "device", false, "the device flow (RFC 8628): enter a code on any device with a browser")
	fs.DurationVar(&c.timeout, "timeout", 5*time.Minute, "how long to wait for the browser to come back (a device code is waited for as long as the server keeps it)")
	fs.Func("git-host", "a git server `HOST[:PORT]` git-credential answers for, repeatable (default: the issuer's host); only over https", func(v string) error {
		for _, h := range strings.Split(v, ",") {
			host, err := gitHostFlag(h)
			if err != nil {
				return err
			}
			c.gitHosts = append(c.gitHosts, host)
		}
		return nil
	})
}

// selectFlags pick the profile a command works on.
func (c *command) selectFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.profile, "profile", "", "which sign-in, by `name` (default: the default profile; the profiles command lists them)")
	fs.StringVar(&c.provider.Issuer, "issuer", "", "pick the profile signed in to this issuer `URL`")
	fs.StringVar(&c.provider.ClientID, "client-id", "", "pick the profile of this client `ID`")
}

func (c *command) outputFlags(fs *flag.FlagSet, json string) {
	fs.BoolVar(&c.jsonOut, "json", false, json)
}

// pluginFlags are those of every command that runs the plugin and may
// reach the provider.
func (c *command) pluginFlags(fs *flag.FlagSet) {
	fs.BoolVar(&c.verbose, "verbose", false, "trace the plugin's HTTP on stderr, secrets redacted (WASMLOGIN_TRACE_SECRETS=1 shows them: never in shared logs)")
	c.storeFlag(fs)
}

func (c *command) storeFlag(fs *flag.FlagSet) {
	fs.StringVar(&c.store, "store", "", "where secrets live: `keyring|file`, the OS keyring (the default) or an encrypted file "+
		"(passphrase in WASMLOGIN_STORE_PASSPHRASE); later commands use the store a profile was signed in with")
}

// networkFlags reach a provider behind a company's TLS proxy or an
// internal one; login records them for the profile (settings.go).
func (c *command) networkFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.network.CAFile, "ca-file", "", "trust the certificate authorities in this PEM `file` besides the system's (also SSL_CERT_FILE)")
	fs.StringVar(&c.network.ClientCert, "client-cert", "", "client certificate PEM `file` for servers that ask for mutual TLS (RFC 8705); with --client-key")
	fs.StringVar(&c.network.ClientKey, "client-key", "", "private key PEM `file` of --client-cert")
}
