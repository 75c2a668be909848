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
	"os"

	"github.com/wasmlogin/wasmlogin/host/cli"
)

func main() { os.Exit(cli.RunExecutable("go run ./host/cmd/wasmlogin")) }
