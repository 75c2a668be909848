package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/wasmlogin/wasmlogin/host/engine"
	"github.com/wasmlogin/wasmlogin/host/loopback"
	"github.com/wasmlogin/wasmlogin/host/mcpclient"
	"github.com/wasmlogin/wasmlogin/host/profiles"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// `mcp login` and `mcp proxy` sign in the same way: the flags below say
// which OAuth client and grant to use, and mcpOptions hands them to
// host/mcpclient. What the server and its authorization server accept is
// for the plugin to work out; none of these flags is needed for a server
// whose authorization server registers clients or takes a client ID
// metadata document.

// mcpClientFlags are the client, grant and browser flags of the commands
// that sign in.
func (c *command) mcpClientFlags(fs *flag.FlagSet) {
	m := &c.mcp
	fs.StringVar(&c.provider.ClientID, "client-id", "", "a client `ID` registered with the server's authorization server (default: a metadata document or registration)")
	fs.StringVar(&c.secretEnv, "client-secret-env", "", "read that client's secret from the environment `variable` (then kept in the secret store)")
	fs.StringVar(&m.clientMetadataURL, "client-metadata-url", "", "the https `URL` of your client's metadata document, used as the client ID where the server accepts one")
	fs.StringVar(&m.tokenAuthMethod, "token-auth-method", "", "`method` at the token endpoint: none, client_secret_basic, client_secret_post or private_key_jwt (default: what the server and credentials allow)")
	fs.StringVar(&m.privateKeyFile, "private-key-file", "", "PEM `file` of the client's private key for private_key_jwt; read once and kept in the secret store, where the plugin cannot read it")
	fs.StringVar(&m.signingAlg, "signing-alg", "", "JWS `alg` of that key (default: ES256 for P-256, RS256 for RSA, ...)")
	fs.StringVar(&c.scopes, "scopes", "", "`scopes` to ask for, separated by spaces (default: the server's challenge, else its metadata)")
	fs.BoolVar(&c.machine.clientCredentials, "client-credentials", false, "the client credentials grant: the client signs in as itself, no browser (needs --client-id and a secret or key)")
	fs.StringVar(&m.idpTokenEndpoint, "idp-token-endpoint", "", "cross-app access: your enterprise identity provider's token endpoint `URL`, where your ID token is exchanged for an identity assertion for the server (no browser; with --idp-id-token-env)")
	fs.StringVar(&m.idpIDTokenEnv, "idp-id-token-env", "", "cross-app access: read your ID token from the identity provider from the environment `variable`")
	fs.StringVar(&m.idpClientID, "idp-client-id", "", "cross-app access: this app's client `ID` at the identity provider")
	fs.StringVar(&m.idpClientSecretEnv, "idp-client-secret-env", "", "cross-app access: read that client's secret from the environment `variable`")
	fs.BoolVar(&c.noOpen, "no-open", false, "do not start a browser: only print the URL")
	fs.DurationVar(&c.timeout, "timeout", 5*time.Minute, "how long to wait for the browser to come back")
	fs.StringVar(&c.redirectHost, "redirect-host", "", "loopback `host` in the redirect URI: 127.0.0.1 (default), localhost or [::1]")
	fs.IntVar(&c.redirectPort, "redirect-port", 0, "fixed `port` for servers that demand one (default: the OS picks a free one)")
	fs.StringVar(&c.redirectPath, "redirect-path", "/callback", "`path` of the redirect URI")
}

// mcpOptions are the library's options from the flags.
func (c *command) mcpOptions(ctx context.Context) (mcpclient.Options, error) {
	m := c.mcp
	o := mcpclient.Options{ServerURL: m.server, Scopes: c.provider.Scopes, LoginTimeout: c.timeout,
		Client: api.MCPClient{ClientID: c.provider.ClientID, ClientMetadataURL: m.clientMetadataURL,
			TokenAuthMethod: m.tokenAuthMethod, SigningAlg: m.signingAlg, ClientName: "wasmlogin"},
		Redirect: loopback.Options{Host: c.redirectHost, Port: c.redirectPort, Path: c.redirectPath}}
	if c.machine.clientCredentials {
		o.Grant = api.GrantClientCredentials
	}
	var err error
	if o.Client.ClientSecret, err = c.secretFromEnv("--client-secret-env", c.secretEnv); err != nil {
		return o, err
	}
	if err := c.crossAppAccess(&o); err != nil {
		return o, err
	}
	if m.privateKeyFile != "" {
		pem, err := os.ReadFile(m.privateKeyFile)
		if err != nil {
			return o, usageError("--private-key-file: %v", err)
		}
		o.PrivateKeyPEM = pem
	}
	store, err := c.openStore()
	if err != nil {
		return o, err
	}
	dir, err := profiles.Dir(c.env.Getenv)
	if err != nil {
		return o, err
	}
	o.Store, o.ConfigDir = store, dir
	o.Network = c.entryFor(api.Provider{}, nil).Network // recorded with the sign-in (settings.go)
	timeout, _ := time.ParseDuration(c.env.Getenv("WASMLOGIN_HTTP_TIMEOUT"))
	if o.Guard, err = c.guardOptions(timeout); err != nil {
		return o, err
	}
	if o.Base, err = c.networkTransport(); err != nil { // the MCP requests themselves
		return o, err
	}
	o.Engine = engine.Options{CacheDir: c.env.Getenv("WASMLOGIN_CACHE_DIR"), Warn: func(m string) { fmt.Fprintln(c.env.Stderr, "warning: "+m) }}
	o.OpenBrowser, o.NoOpen = c.env.OpenBrowser, c.noOpen || c.noBrowser
	o.Notify = func(level, msg string) { // stderr only: the proxy's stdout is JSON-RPC
		if level == "warn" {
			msg = "warning: " + msg
		}
		fmt.Fprintln(c.env.Stderr, msg)
	}
	return o, nil
}

// crossAppAccess sets up the cross-app access grant when the flags ask for
// it: the ID token and the IdP client's secret come from the environment,
// never from the command line, where other users can read them.
func (c *command) crossAppAccess(o *mcpclient.Options) error {
	m := c.mcp
	switch {
	case m.idpTokenEndpoint == "" && m.idpIDTokenEnv == "" && m.idpClientID == "" && m.idpClientSecretEnv == "":
		return nil
	case m.idpTokenEndpoint == "" || m.idpIDTokenEnv == "":
		return usageError("cross-app access needs both --idp-token-endpoint URL and --idp-id-token-env VARIABLE")
	case c.machine.clientCredentials:
		return usageError("--client-credentials and the --idp-... flags are two different grants; give one of them")
	}
	if err := checkURLFlag("--idp-token-endpoint", m.idpTokenEndpoint, "https://idp.example.com/oauth2/token"); err != nil {
		return err
	}
	idToken, err := c.secretFromEnv("--idp-id-token-env", m.idpIDTokenEnv)
	if err != nil {
		return err
	}
	secret, err := c.secretFromEnv("--idp-client-secret-env", m.idpClientSecretEnv)
	if err != nil {
		return err
	}
	o.Grant = api.GrantCrossAppAccess
	o.IdentityAssertion = &api.MCPIdentityAssertion{IdPTokenEndpoint: m.idpTokenEndpoint, IDToken: idToken,
		IdPClientID: m.idpClientID, IdPClientSecret: secret}
	return nil
}

// secretFromEnv reads the variable a --...-env flag names; "" when the
// flag was not given.
func (c *command) secretFromEnv(flag, variable string) (string, error) {
	if variable == "" {
		return "", nil
	}
	v := c.env.Getenv(variable)
	if v == "" {
		return "", usageError("%s %s: that environment variable is empty or not set", flag, variable)
	}
	return v, nil
}
