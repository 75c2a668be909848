// Command host is the reference runner of the flow plugin: `login`,
// `token`, `status` and `logout` for any OAuth 2 / OpenID Connect provider.
// It is what `go run ./host` runs in a clone; the installable command is
// host/cmd/wasmlogin, the same program under a name that does not clash
// with the DNS tool `host`. Run it with --help for the commands and exit
// codes.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/wasmlogin/wasmlogin/host/cli"
)

func main() {
	env := cli.Std()
	env.Program = cli.ProgramName(os.Args[0], "go run ./host")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, os.Args[1:], env)
	stop()
	os.Exit(code)
}
