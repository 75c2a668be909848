// Command opserver runs the test provider (zitadel/oidc's example OP) on
// 127.0.0.1 for hosts written in other languages: it prints one JSON line
// with the issuer, clients and the test user's credentials, then serves
// until stdin closes or it is interrupted, so a test harness that dies
// never leaves it behind.
//
// With -try (`make try`) it prints, instead of the JSON line, the flags a
// person uses to try every command against it, and serves until Ctrl-C.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/wasmlogin/wasmlogin/internal/fixtureproc"
	"github.com/wasmlogin/wasmlogin/internal/testop"
)

func main() {
	lifetime := flag.Duration("access-token-lifetime", testop.DefaultAccessTokenLifetime, "access token lifetime")
	try := flag.Bool("try", false, "print how to try the commands against it, and serve until interrupted")
	flag.Parse()
	op, err := testop.Start(testop.Options{AccessTokenLifetime: *lifetime})
	if err != nil {
		os.Stderr.WriteString("opserver: " + err.Error() + "\n")
		os.Exit(1)
	}
	defer op.Close()
	if *try {
		printTry(op)
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt)
		<-sig
		return
	}
	json.NewEncoder(os.Stdout).Encode(map[string]string{
		"issuer": op.Issuer, "username": op.Username, "password": op.Password,
		"native_client_id": testop.NativeClientID,
		"web_client_id":    testop.WebClientID, "web_client_secret": testop.WebClientSecret,
		"service_client_id": testop.ServiceClientID, "service_client_secret": testop.ServiceClientSecret,
		"access_token_lifetime": lifetime.String(),
	})
	fixtureproc.ServeUntilDone()
}

// printTry tells a person how to use every command against op, from a
// second terminal in the repository.
func printTry(op *testop.OP) {
	fmt.Printf(`The test provider (zitadel/oidc's example OP) serves %[1]s until you press Ctrl-C.
In another terminal, in this directory:

  export WASMLOGIN_CONFIG_DIR=$(mktemp -d)   # keep these profiles apart from your own
  go run ./host login --issuer %[1]s --client-id %[2]s

then token, status, userinfo, profiles, use, kubectl-credential, exec, logout
(go run ./host --help lists them). Sign in as %[3]s with password %[4]s.

  No keyring here?   add --store file, with WASMLOGIN_STORE_PASSPHRASE=anything
  No display?        add --no-open and open the URL yourself, or --device
  A script as user:  BROWSER=$(go env GOPATH)/bin/autobrowser TESTOP_USERNAME=%[3]s TESTOP_PASSWORD=%[4]s
                     after go install ./internal/testop/cmd/autobrowser
  Confidential:      --client-id %[5]s --client-secret-env S  with S=%[6]s
  A service:         login --client-credentials --issuer %[1]s --client-id %[7]s
                     --client-secret-env S  with S=%[8]s; then exchange --profile ...
`, op.Issuer, testop.NativeClientID, op.Username, op.Password,
		testop.WebClientID, testop.WebClientSecret, testop.ServiceClientID, testop.ServiceClientSecret)
}
