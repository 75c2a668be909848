// Package scenario reads what the official MCP conformance suite hands the
// client it tests: the scenario's name and its credentials. The Go clients
// (goclient on the library, stdioclient through the proxy) share it.
package scenario

import (
	"encoding/json"
	"fmt"
	"os"
)

// ClientMetadataURL is the client ID metadata document the suite's
// authorization servers expect a client to use where they support them.
const ClientMetadataURL = "https://conformance-test.local/client-metadata.json"

// Context is MCP_CONFORMANCE_CONTEXT: the scenario's pre-registered
// client, its private key for private_key_jwt, and for cross-app access
// the enterprise IdP's inputs.
type Context struct {
	ClientID         string `json:"client_id"`
	ClientSecret     string `json:"client_secret"`
	PrivateKeyPEM    string `json:"private_key_pem"`
	SigningAlgorithm string `json:"signing_algorithm"`
	IdPClientID      string `json:"idp_client_id"`
	IdPIDToken       string `json:"idp_id_token"`
	IdPIssuer        string `json:"idp_issuer"`
	IdPTokenEndpoint string `json:"idp_token_endpoint"`
}

// FromEnv returns the scenario's name (MCP_CONFORMANCE_SCENARIO) and
// context; a scenario without credentials has an empty Context.
func FromEnv() (name string, c Context, err error) {
	if raw := os.Getenv("MCP_CONFORMANCE_CONTEXT"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &c); err != nil {
			return "", c, fmt.Errorf("MCP_CONFORMANCE_CONTEXT is not the JSON the suite sends: %w", err)
		}
	}
	return os.Getenv("MCP_CONFORMANCE_SCENARIO"), c, nil
}
