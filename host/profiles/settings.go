package profiles

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// Network is what reaching a profile's provider took at login: a
// certificate authority of the network's own and a client certificate
// (mutual TLS, RFC 8705). Paths only, never key material: the files stay
// where the user keeps them, and refreshes weeks later use them again.
type Network struct {
	CAFile     string `json:"ca_file,omitempty"`
	ClientCert string `json:"client_cert,omitempty"`
	ClientKey  string `json:"client_key,omitempty"`
}

// noDefault answers a command given no profile when there is no default
// (the default one was signed out) but other sign-ins remain: saying "not
// signed in" would be wrong, so it names them and how to pick one.
func noDefault(ix *Index) *api.Error {
	names := make([]string, 0, len(ix.Profiles))
	for n := range ix.Profiles {
		names = append(names, fmt.Sprintf("%q", n))
	}
	slices.Sort(names)
	return &api.Error{Code: api.CodeLoginRequired, Message: fmt.Sprintf(
		"no default profile (it was signed out); still signed in: %s. Pass --profile NAME, or make one the default with `use NAME` (`profiles` lists them)",
		strings.Join(names, ", "))}
}
