// Command nativetoken is the floor a keyring-backed credential helper can
// reach: it reads one keyring entry, checks its expiry and prints the
// access token. make bench runs it beside `wasmlogin token` on the same
// entry, so the ratio between them is what the sandbox costs.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/zalando/go-keyring"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: nativetoken SERVICE KEY")
		os.Exit(2)
	}
	raw, err := keyring.Get(os.Args[1], os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "nativetoken:", err)
		os.Exit(1)
	}
	var t struct {
		AccessToken string `json:"access_token"`
		ExpiresAt   int64  `json:"expires_at"`
	}
	if err := json.Unmarshal([]byte(raw), &t); err != nil {
		fmt.Fprintln(os.Stderr, "nativetoken:", err)
		os.Exit(1)
	}
	if t.ExpiresAt != 0 && !time.Now().Add(30*time.Second).Before(time.Unix(t.ExpiresAt, 0)) {
		fmt.Fprintln(os.Stderr, "nativetoken: expired")
		os.Exit(3)
	}
	fmt.Println(t.AccessToken)
}
