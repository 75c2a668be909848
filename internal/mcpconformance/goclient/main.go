// Command goclient is a small MCP client for the official MCP conformance
// suite (npm @modelcontextprotocol/conformance): it connects to the server
// URL given as its last argument with the official Go SDK's streamable
// HTTP transport, over host/mcpclient's authorizing http.Client, then
// initializes, lists the tools and calls the first one.
//
// The suite says what a scenario needs in MCP_CONFORMANCE_SCENARIO and
// MCP_CONFORMANCE_CONTEXT (JSON: client_id, client_secret,
// private_key_pem, signing_algorithm, idp_*). Everything about
// authorization is the plugin's; this command only maps the context to
// mcpclient.Options, the way an application maps its settings.
//
//	go build -o goclient ./internal/mcpconformance/goclient
//	npx @modelcontextprotocol/conformance client --command ./goclient --suite auth
//
// Each run keeps its sign-in in memory and its profile index in a fresh
// temporary directory, so parallel scenarios share nothing. The browser is
// scripted: the suite's authorization servers redirect at once, so GETting
// the authorization URL and following redirects reaches the loopback
// listener, as a browser would.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/wasmlogin/wasmlogin/host/engine"
	"github.com/wasmlogin/wasmlogin/host/mcpclient"
	"github.com/wasmlogin/wasmlogin/host/secretstore"
	"github.com/wasmlogin/wasmlogin/internal/mcpconformance/scenario"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: goclient [flags...] SERVER_URL")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx, os.Args[len(os.Args)-1]); err != nil {
		fmt.Fprintln(os.Stderr, "goclient:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, serverURL string) error {
	name, sc, err := scenario.FromEnv()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "goclient-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	opts := options(sc, name)
	opts.ServerURL = serverURL
	opts.ConfigDir = dir
	opts.Store = secretstore.Memory()
	opts.OpenBrowser = scriptedBrowser
	opts.Notify = func(level, msg string) { fmt.Fprintf(os.Stderr, "[%s] %s\n", level, msg) }
	opts.Engine = engine.Options{CacheDir: os.Getenv("WASMLOGIN_CACHE_DIR")}
	t, err := mcpclient.New(ctx, opts)
	if err != nil {
		return err
	}
	defer t.Close()

	client := mcp.NewClient(&mcp.Implementation{Name: "wasmlogin-conformance", Version: "1.0.0"}, nil)
	session, err := client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: serverURL, HTTPClient: t.Client(),
		DisableStandaloneSSE: true}, nil)
	if err != nil {
		return fmt.Errorf("connecting: %w", err)
	}
	defer session.Close()
	tools, err := session.ListTools(ctx, nil)
	if err != nil {
		return fmt.Errorf("listing tools: %w", err)
	}
	if len(tools.Tools) == 0 {
		return nil
	}
	tool := tools.Tools[0]
	res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: tool.Name, Arguments: argumentsFor(tool)})
	if err != nil {
		return fmt.Errorf("calling %s: %w", tool.Name, err)
	}
	if res.IsError {
		return errors.New("the tool " + tool.Name + " reported an error")
	}
	return nil
}

// options maps the scenario's context to the client an application would
// configure: a private key means private_key_jwt client credentials, an
// IdP ID token cross-app access, a client ID and secret a pre-registered
// client (for the client credentials grant where the scenario is about
// that grant); always a metadata document URL, used where the server
// supports them.
func options(sc scenario.Context, name string) mcpclient.Options {
	o := mcpclient.Options{Client: api.MCPClient{ClientID: sc.ClientID, ClientSecret: sc.ClientSecret}}
	if sc.ClientID == "" {
		o.Client.ClientMetadataURL = scenario.ClientMetadataURL
	}
	switch {
	case sc.PrivateKeyPEM != "":
		o.Grant = api.GrantClientCredentials
		o.PrivateKeyPEM = []byte(sc.PrivateKeyPEM)
		o.Client.SigningAlg = sc.SigningAlgorithm
	case sc.IdPIDToken != "":
		o.Grant = api.GrantCrossAppAccess
		o.IdentityAssertion = &api.MCPIdentityAssertion{IdPTokenEndpoint: sc.IdPTokenEndpoint, IDToken: sc.IdPIDToken, IdPClientID: sc.IdPClientID}
	case strings.Contains(name, "client-credentials"):
		o.Grant = api.GrantClientCredentials
	}
	return o
}

// argumentsFor fills a tool's required arguments with placeholder values
// of their declared types.
func argumentsFor(tool *mcp.Tool) map[string]any {
	args := map[string]any{}
	schema, ok := tool.InputSchema.(map[string]any)
	if !ok {
		return args
	}
	props, _ := schema["properties"].(map[string]any)
	required, _ := schema["required"].([]any)
	for _, r := range required {
		name, _ := r.(string)
		prop, _ := props[name].(map[string]any)
		switch prop["type"] {
		case "number", "integer":
			args[name] = 1
		case "boolean":
			args[name] = true
		default:
			args[name] = "x"
		}
	}
	return args
}

// scriptedBrowser plays the user's browser: it GETs the authorization URL
// and follows the redirects to the loopback listener, in the background as
// a browser would run.
func scriptedBrowser(url string) error {
	go func() {
		c := &http.Client{Timeout: 30 * time.Second}
		resp, err := c.Get(url)
		if err != nil {
			fmt.Fprintln(os.Stderr, "goclient: browser:", err)
			return
		}
		resp.Body.Close()
	}()
	return nil
}
