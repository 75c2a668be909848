// Command host is the reference runner of the flow plugin: `login`,
// `token`, `status` and `logout` for any OAuth 2 / OpenID Connect provider.
// It is what `go run ./host` runs in a clone; the installable command is
// host/cmd/wasmlogin, the same program under a name that does not clash
// with the DNS tool `host`. Run it with --help for the commands and exit
// codes.
package main

import (
	"os"

	"github.com/wasmlogin/wasmlogin/host/cli"
)

func main() { os.Exit(cli.RunExecutable("go run ./host")) }
