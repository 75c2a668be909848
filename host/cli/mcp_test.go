package cli

import (
	"bytes"
	"context"
	"flag"
	"strings"
	"testing"
)

// The mcp commands get their help the way the other commands do: exactly
// the flags each one's parser accepts, from `mcp NAME --help`,
// `mcp NAME -h` and `help mcp NAME` alike; `mcp --help` lists them all.
func TestMCPCommandHelpListsItsFlags(t *testing.T) {
	for _, name := range mcpCommands {
		c := &command{name: name}
		var want []string
		c.flags().VisitAll(func(f *flag.Flag) { want = append(want, "--"+f.Name) })
		spec, _ := specOf(name)
		sub := strings.TrimPrefix(name, "mcp ")
		for _, asked := range [][]string{{"mcp", sub, "--help"}, {"mcp", sub, "-h"}, {"help", "mcp", sub}} {
			out, errb, code := runMain(asked...)
			if code != ExitOK || errb != "" || !strings.HasPrefix(out, "Usage: prog "+name+" "+spec.args+"\n\n") {
				t.Fatalf("%v: exit %d, stderr %q, stdout:\n%s", asked, code, errb, out)
			}
			var listed []string
			for _, l := range strings.Split(out, "\n") {
				if f, ok := strings.CutPrefix(l, "  --"); ok {
					listed = append(listed, "--"+strings.Fields(f)[0])
				}
			}
			if strings.Join(listed, " ") != strings.Join(want, " ") {
				t.Fatalf("%v lists %v, its parser takes %v", asked, listed, want)
			}
		}
	}
	for _, asked := range [][]string{{"mcp", "--help"}, {"help", "mcp"}} {
		out, _, code := runMain(asked...)
		for _, name := range mcpCommands {
			if !strings.Contains(out, "\n  "+name+" ") || code != ExitOK {
				t.Errorf("%v (exit %d) does not list %s:\n%s", asked, code, name, out)
			}
		}
	}
}

// Wrong command lines are usage errors (exit 2) that say what to type, on
// stderr: stdout belongs to the MCP client's JSON-RPC.
func TestMCPProxyUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"mcp"}, ""}, // the help, on stdout, as for the program itself
		{[]string{"mcp", "frob"}, "unknown command \"mcp frob\"; `prog mcp --help` lists the mcp commands"},
		{[]string{"mcp", "proxy"}, "mcp proxy: give the MCP server's URL, e.g. `prog mcp proxy https://mcp.example.com/mcp`"},
		{[]string{"mcp", "proxy", "--frob", "https://mcp.example.com/mcp"}, "mcp proxy: unknown flag --frob; `prog mcp proxy --help` lists its flags"},
		{[]string{"mcp", "proxy", "mcp.example.com"}, `mcp proxy: prog mcp proxy "mcp.example.com" is not a URL`},
		{[]string{"mcp", "proxy", "http://mcp.example.com/mcp"}, "plain http is only accepted for 127.0.0.1, ::1 and localhost; use https, e.g. prog mcp proxy https://mcp.example.com/mcp"},
		{[]string{"mcp", "proxy", "https://mcp.example.com/mcp", "--ca-file", "ca.pem"}, "mcp proxy: flags go before the URL: `prog mcp proxy --ca-file ca.pem https://mcp.example.com/mcp`"},
		{[]string{"mcp", "proxy", "https://a.example/mcp", "https://b.example/mcp"}, `unexpected argument "https://b.example/mcp" after the URL`},
	} {
		out, errb, code := runMain(c.args...)
		if code != ExitUsage || !strings.Contains(errb, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, errb, c.want)
		}
		if c.want != "" && out != "" {
			t.Errorf("%v wrote to stdout: %q", c.args, out)
		}
	}
}

func runMain(args ...string) (stdout, stderr string, code int) {
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }, Program: "prog"}
	code = Main(context.Background(), args, env)
	return out.String(), errb.String(), code
}

// The cross-app access flags come as a pair, their secrets from the
// environment; a wrong combination is a usage error before anything is
// loaded or sent, for the proxy and mcp login alike.
func TestMCPCrossAppAccessFlags(t *testing.T) {
	env := map[string]string{"WASMLOGIN_CONFIG_DIR": t.TempDir(), "ID_TOKEN": "eyJ.x.y"}
	const server = "https://mcp.example.com/mcp"
	for _, cmd := range [][]string{{"mcp", "proxy"}, {"mcp", "login"}} {
		for _, c := range []struct {
			flags []string
			want  string
		}{
			{[]string{"--idp-token-endpoint", "https://idp.example/token"}, "cross-app access needs both --idp-token-endpoint URL and --idp-id-token-env VARIABLE"},
			{[]string{"--idp-id-token-env", "ID_TOKEN", "--idp-client-id", "app"}, "cross-app access needs both"},
			{[]string{"--idp-token-endpoint", "https://idp.example/token", "--idp-id-token-env", "UNSET"}, "--idp-id-token-env UNSET: that environment variable is empty or not set"},
			{[]string{"--idp-token-endpoint", "http://idp.example/token", "--idp-id-token-env", "ID_TOKEN"}, "--idp-token-endpoint \"http://idp.example/token\": plain http is only accepted for 127.0.0.1"},
			{[]string{"--idp-token-endpoint", "https://idp.example/token", "--idp-id-token-env", "ID_TOKEN", "--client-credentials"}, "--client-credentials and the --idp-... flags are two different grants"},
			{[]string{"--client-secret-env", "UNSET"}, "--client-secret-env UNSET: that environment variable is empty or not set"},
		} {
			args := append(append(append([]string{}, cmd...), c.flags...), server)
			out, errb, code := runMainEnv(env, args...)
			if code != ExitUsage || !strings.Contains(errb, c.want) || out != "" {
				t.Errorf("%v: exit %d, stdout %q, stderr %q, want %q", args, code, out, errb, c.want)
			}
		}
	}
}

func runMainEnv(vars map[string]string, args ...string) (stdout, stderr string, code int) {
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return vars[k] }, Program: "prog"}
	code = Main(context.Background(), args, env)
	return out.String(), errb.String(), code
}
