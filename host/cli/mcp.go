package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// `mcp` groups the commands for remote MCP (Model Context Protocol)
// servers: `mcp NAME [flags] ARGS`. Each has its flags defined once, as the
// other commands do (flags.go), and its help generated from them.

// mcpCommand is one `mcp NAME`.
type mcpCommand struct {
	spec  commandSpec // spec.name is "mcp NAME"
	flags func(c *command, fs *flag.FlagSet)
	// run gets the arguments after the flags.
	run func(c *command, ctx context.Context, args []string) error
}

// mcpCommands lists the subcommands in the order `mcp --help` shows them.
var mcpCommands = []mcpCommand{
	{commandSpec{"mcp proxy", "[flags] URL", "Bridge an MCP client that speaks only stdio (a desktop app, an editor) to the remote MCP server at URL over Streamable HTTP; " +
		"every JSON-RPC message passes through unchanged, errors go to stderr, and it ends when the client closes its input."},
		(*command).mcpProxyFlags, (*command).mcpProxy},
}

func mcpCommandOf(name string) (mcpCommand, bool) {
	for _, m := range mcpCommands {
		if m.spec.name == name {
			return m, true
		}
	}
	return mcpCommand{}, false
}

// isMCP tells whether a command line is for mcpMain: `mcp ...` or
// `help mcp ...`.
func isMCP(args []string) bool {
	return len(args) > 0 && args[0] == "mcp" || len(args) > 1 && args[0] == "help" && args[1] == "mcp"
}

// mcpMain runs `mcp ...`, and answers `help mcp [NAME]`.
func mcpMain(ctx context.Context, args []string, env Env) int {
	if args[0] == "help" { // help mcp [NAME]
		args = append(args[1:], "--help")
	}
	rest := args[1:]
	if len(rest) == 0 || rest[0] == "--help" || rest[0] == "-h" || rest[0] == "help" {
		fmt.Fprint(env.Stdout, mcpHelp(env.Program))
		if len(rest) == 0 {
			return ExitUsage
		}
		return ExitOK
	}
	sub, ok := mcpCommandOf("mcp " + rest[0])
	if !ok {
		fmt.Fprintf(env.Stderr, "mcp: unknown subcommand %q; `%s mcp --help` lists them\n", rest[0], env.Program)
		return ExitUsage
	}
	c := &command{env: env, name: sub.spec.name}
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // reported below in this program's words
	fs.Usage = func() {}
	sub.flags(c, fs)
	if err := fs.Parse(rest[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(env.Stdout, commandHelp(env.Program, c.name, fs))
			return ExitOK
		}
		fmt.Fprintf(env.Stderr, "%s: %s; `%s %s --help` lists its flags\n", c.name, parseErrorText(err), env.Program, c.name)
		return ExitUsage
	}
	if err := sub.run(c, ctx, fs.Args()); err != nil {
		return c.fail(err)
	}
	return ExitOK
}

// mcpHelp is `PROG mcp --help`.
func mcpHelp(prog string) string {
	spec, _ := specOf("mcp")
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: %s mcp %s\n\n%s\n\nSubcommands:\n", prog, spec.args, wrap(spec.summary, 0, 78))
	for _, m := range mcpCommands {
		name := strings.TrimPrefix(m.spec.name, "mcp ")
		fmt.Fprintf(&b, "  %-19s %s\n", name+" "+strings.TrimPrefix(m.spec.args, "[flags] "), wrap(firstSentence(m.spec.summary), 22, 78))
	}
	fmt.Fprintf(&b, "\n`%s mcp SUBCOMMAND --help` lists the flags of one.\nExit codes and the environment: %s --help\n", prog, prog)
	return b.String()
}
