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
	env := cli.Std()
	env.FillCacheInBackground = true // this is the executable it starts
	code := cli.Main(ctx, os.Args[1:], env)
	stop()
	os.Exit(code)
}
