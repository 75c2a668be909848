// Command opserver runs the test provider (zitadel/oidc's example OP) on
// 127.0.0.1 for hosts written in other languages: it prints one JSON line
// with the issuer, clients and the test user's credentials, then serves
// until stdin closes or it is interrupted, so a test harness that dies
// never leaves it behind.
package main

import (
	"encoding/json"
	"flag"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/wasmlogin/wasmlogin/internal/testop"
)

func main() {
	lifetime := flag.Duration("access-token-lifetime", testop.DefaultAccessTokenLifetime, "access token lifetime")
	flag.Parse()
	op, err := testop.Start(testop.Options{AccessTokenLifetime: *lifetime})
	if err != nil {
		os.Stderr.WriteString("opserver: " + err.Error() + "\n")
		os.Exit(1)
	}
	defer op.Close()
	json.NewEncoder(os.Stdout).Encode(map[string]string{
		"issuer": op.Issuer, "username": op.Username, "password": op.Password,
		"native_client_id": testop.NativeClientID,
		"web_client_id":    testop.WebClientID, "web_client_secret": testop.WebClientSecret,
		"access_token_lifetime": lifetime.String(),
	})
	done := make(chan struct{})
	go func() { io.Copy(io.Discard, os.Stdin); close(done) }()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	select {
	case <-done:
	case <-sig:
	case <-time.After(time.Hour):
	}
}
