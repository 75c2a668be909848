// Command host is the reference runner of the flow plugin: `login`, `token`,
// `status` and `logout` for any OAuth 2 / OpenID Connect provider. Run it
// with --help for the commands and exit codes.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/wasmlogin/wasmlogin/host/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, os.Args[1:], cli.Std())
	stop()
	os.Exit(code)
}
