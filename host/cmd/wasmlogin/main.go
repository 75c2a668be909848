// Command wasmlogin signs in to OAuth 2 / OpenID Connect providers from the
// command line, with the flow logic in an embedded, sandboxed WebAssembly
// plugin. Install it with
//
//	go install github.com/wasmlogin/wasmlogin/host/cmd/wasmlogin@VERSION
//
// where VERSION is a release tag of the module (vX.Y.Z). Run it with
// --help for the commands and exit codes.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/wasmlogin/wasmlogin/host/cli"
)

func main() {
	env := cli.Std()
	env.Program = cli.ProgramName(os.Args[0], "go run ./host/cmd/wasmlogin")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, os.Args[1:], env)
	stop()
	os.Exit(code)
}
