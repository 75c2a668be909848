// Command faultserver runs the conformance kit's fault fixture
// (host/conformance/faultserver) on 127.0.0.1 for runners written in other
// languages. It is a fault fixture, not an authorization server. It prints
// one JSON line on stdout, an object from origin name to base URL
// ({"base": "http://127.0.0.1:port", "elsewhere": ..., ...}; the names are
// cases.json's placeholders), then serves until stdin closes or it is
// interrupted, so a runner that dies never leaves it behind.
package main

import (
	"encoding/json"
	"os"

	"github.com/wasmlogin/wasmlogin/host/conformance/faultserver"
	"github.com/wasmlogin/wasmlogin/internal/fixtureproc"
)

func main() {
	s, err := faultserver.Start()
	if err != nil {
		os.Stderr.WriteString("faultserver: " + err.Error() + "\n")
		os.Exit(1)
	}
	defer s.Close()
	json.NewEncoder(os.Stdout).Encode(s.Origins)
	fixtureproc.ServeUntilDone()
}
