// Command stdioclient is the MCP client the conformance suite drives to test
// `wasmlogin mcp proxy`: a client that speaks only stdio, as desktop apps
// and editors do, built on the official Go SDK.
//
//	stdioclient CMD [ARGS...] URL
//
// runs CMD ARGS... [FLAGS...] URL as its MCP server (the suite appends the
// URL of the server it started; with CMD ARGS = `wasmlogin mcp proxy` that
// is the proxy, reaching the suite's server over Streamable HTTP). It does
// what the suite expects of a client: initialize, list the tools, call the
// first one offered, then close the server's stdin and wait for it to
// exit. Exit status 0 means all of that succeeded; anything else is
// reported on stderr with status 1.
//
// The sign-in is the proxy's business: this client never sees a token. It
// only starts the proxy the way a user's MCP client configuration would,
// with the credentials the scenario hands out (MCP_CONFORMANCE_CONTEXT)
// as the proxy's flags, each secret in an environment variable and the
// private key in a file only this user can read (proxyCommand). The proxy
// gets a profile index and an encrypted secret store of its own, removed
// afterwards, so parallel scenarios share nothing and no keyring is
// touched; its BROWSER is this program again (stdioclient -browse URL),
// which plays the user's browser.
package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/wasmlogin/wasmlogin/internal/mcpconformance/scenario"
)

func main() {
	if len(os.Args) == 3 && os.Args[1] == "-browse" {
		browse(os.Args[2])
		return
	}
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: stdioclient CMD [ARGS...] URL (the conformance suite appends the URL)")
		os.Exit(2)
	}
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "stdioclient:", err)
		os.Exit(1)
	}
}

func run(server []string) error {
	ctx := context.Background()
	scratch, err := os.MkdirTemp("", "stdioclient-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(scratch)
	cmd, err := proxyCommand(server, scratch)
	if err != nil {
		return err
	}
	cmd.Stderr = os.Stderr // the proxy's own reports, kept in the suite's stderr.txt
	client := mcp.NewClient(&mcp.Implementation{Name: "wasmlogin-conformance-stdio", Version: "1.0.0"}, nil)
	// The suite's scenarios are written for protocol 2025-11-25, which
	// begins with initialize; the SDK would first probe 2026-07-28.
	cs, err := client.Connect(ctx, &mcp.CommandTransport{Command: cmd, TerminateDuration: 10 * time.Second},
		&mcp.ClientSessionOptions{ProtocolVersion: "2025-11-25"})
	if err != nil {
		return fmt.Errorf("initialize: %w", err)
	}
	defer cs.Close()
	tools, err := cs.ListTools(ctx, nil)
	if err != nil {
		return fmt.Errorf("tools/list: %w", err)
	}
	if len(tools.Tools) > 0 {
		name := tools.Tools[0].Name
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: map[string]any{}})
		if err != nil {
			return fmt.Errorf("tools/call %s: %w", name, err)
		}
		if res.IsError {
			return fmt.Errorf("tools/call %s: the tool reported an error: %+v", name, res.Content)
		}
	}
	if err := cs.Close(); err != nil {
		return fmt.Errorf("the server did not exit cleanly after its stdin closed: %w", err)
	}
	return nil
}

// browse plays the user's browser: the suite's authorization servers
// redirect at once, so GETting the authorization URL and following the
// redirects reaches the proxy's loopback listener, as a browser would.
func browse(url string) {
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Get(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, "stdioclient: browser:", err)
		os.Exit(1)
	}
	resp.Body.Close()
}

// proxyCommand is server (CMD ARGS... URL) with the scenario's credentials
// given as `wasmlogin mcp proxy` takes them, before the URL: a client ID,
// else the client metadata URL; a secret through --client-secret-env; a
// private key through --private-key-file for the client credentials grant
// (private_key_jwt); an IdP ID token through --idp-id-token-env for
// cross-app access; the client credentials grant where the scenario is
// about it.
func proxyCommand(server []string, scratch string) (*exec.Cmd, error) {
	name, sc, err := scenario.FromEnv()
	if err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(),
		"WASMLOGIN_CONFIG_DIR="+filepath.Join(scratch, "config"),
		"WASMLOGIN_STORE=file",
		"WASMLOGIN_STORE_PASSPHRASE="+rand.Text(),
		"BROWSER="+quote(self)+" -browse")
	var flags []string
	if sc.ClientID != "" {
		flags = append(flags, "--client-id", sc.ClientID)
	} else {
		flags = append(flags, "--client-metadata-url", scenario.ClientMetadataURL)
	}
	if sc.ClientSecret != "" {
		env = append(env, "MCP_CLIENT_SECRET="+sc.ClientSecret)
		flags = append(flags, "--client-secret-env", "MCP_CLIENT_SECRET")
	}
	switch {
	case sc.PrivateKeyPEM != "":
		key := filepath.Join(scratch, "client-key.pem")
		if err := os.WriteFile(key, []byte(sc.PrivateKeyPEM), 0o600); err != nil {
			return nil, err
		}
		flags = append(flags, "--client-credentials", "--private-key-file", key)
		if sc.SigningAlgorithm != "" {
			flags = append(flags, "--signing-alg", sc.SigningAlgorithm)
		}
	case sc.IdPIDToken != "":
		env = append(env, "MCP_IDP_ID_TOKEN="+sc.IdPIDToken)
		flags = append(flags, "--idp-token-endpoint", sc.IdPTokenEndpoint, "--idp-id-token-env", "MCP_IDP_ID_TOKEN")
		if sc.IdPClientID != "" {
			flags = append(flags, "--idp-client-id", sc.IdPClientID)
		}
	case strings.Contains(name, "client-credentials"):
		flags = append(flags, "--client-credentials")
	}
	n := len(server) - 1
	args := append(append(append([]string{}, server[1:n]...), flags...), server[n])
	cmd := exec.Command(server[0], args...)
	cmd.Env = env
	return cmd, nil
}

// quote makes path one word of $BROWSER (host/browser splits it as a shell
// would, without running one); the scratch paths hold no quote.
func quote(path string) string {
	return "'" + path + "'"
}
