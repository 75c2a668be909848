// Command dexserver runs the second test provider (Dex, see internal/dexop)
// on 127.0.0.1 for hosts written in other languages: it prints one JSON line
// with the issuer and clients, then serves until stdin closes or it is
// interrupted, so a test harness that dies never leaves it behind.
package main

import (
	"encoding/json"
	"flag"
	"os"

	"github.com/wasmlogin/wasmlogin/internal/dexop"
	"github.com/wasmlogin/wasmlogin/internal/fixtureproc"
)

func main() {
	lifetime := flag.Duration("access-token-lifetime", dexop.DefaultAccessTokenLifetime, "ID and access token lifetime (Dex expiry.idTokens)")
	flag.Parse()
	op, err := dexop.Start(dexop.Options{AccessTokenLifetime: *lifetime})
	if err != nil {
		os.Stderr.WriteString("dexserver: " + err.Error() + "\n")
		os.Exit(1)
	}
	defer op.Close()
	json.NewEncoder(os.Stdout).Encode(map[string]string{
		"issuer":           op.Issuer,
		"native_client_id": dexop.NativeClientID,
		"web_client_id":    dexop.WebClientID, "web_client_secret": dexop.WebClientSecret,
		"subject":               dexop.MockSubject,
		"access_token_lifetime": lifetime.String(),
	})
	fixtureproc.ServeUntilDone()
}
