// Command mcpserver runs a protected MCP server (internal/testmcp: the
// official Go SDK's server behind its bearer-token middleware) and the test
// OP it names as its authorization server (internal/testop), both on
// 127.0.0.1, for MCP clients written in other languages. It prints one JSON
// line with the server's URL, the issuer, a client and the test user's
// credentials, then serves until stdin closes or it is interrupted, so a
// test harness that dies never leaves it behind.
package main

import (
	"encoding/json"
	"os"

	"github.com/wasmlogin/wasmlogin/internal/fixtureproc"
	"github.com/wasmlogin/wasmlogin/internal/testmcp"
	"github.com/wasmlogin/wasmlogin/internal/testop"
)

func main() {
	op, err := testop.Start(testop.Options{})
	if err != nil {
		os.Stderr.WriteString("mcpserver: " + err.Error() + "\n")
		os.Exit(1)
	}
	defer op.Close()
	s, stop := testmcp.Serve(op)
	defer stop()
	json.NewEncoder(os.Stdout).Encode(map[string]string{
		"mcp_url": s.URL, "issuer": op.Issuer, "native_client_id": testop.NativeClientID,
		"username": op.Username, "password": op.Password,
	})
	fixtureproc.ServeUntilDone()
}
