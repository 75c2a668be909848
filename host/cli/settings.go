package cli

import (
	"net/http"
	"path/filepath"
	"time"

	"github.com/wasmlogin/wasmlogin/host/httpguard"
	"github.com/wasmlogin/wasmlogin/host/profiles"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// A sign-in remembers, in the profile index, what it took: the secret store
// it was kept in and how its provider was reached. Every later command on
// that profile uses them without the flags being given again; a flag given
// again wins.

// findProfile resolves the profile a command works on and adopts its
// recorded settings.
func (c *command) findProfile(ix *profiles.Index) (string, profiles.Entry, error) {
	name, e, err := ix.Find(c.profile, &c.provider)
	if err == nil {
		c.recorded = e
	}
	return name, e, err
}

// storeKind is the store to open: --store, else the one the profile was
// signed in with, else WASMLOGIN_STORE, else the keyring.
func (c *command) storeKind() string {
	for _, kind := range []string{c.store, c.recorded.Store, c.env.Getenv("WASMLOGIN_STORE")} {
		if kind != "" {
			return kind
		}
	}
	return "keyring"
}

// networkSettings are the flags, else what the profile recorded.
func (c *command) networkSettings() profiles.Network {
	n := c.network
	if n.CAFile == "" {
		n.CAFile = c.recorded.Network.CAFile
	}
	if n.ClientCert == "" && n.ClientKey == "" {
		n.ClientCert, n.ClientKey = c.recorded.Network.ClientCert, c.recorded.Network.ClientKey
	}
	return n
}

// newGuard is the sandbox's HTTP with this network's settings: proxies
// from the environment, --ca-file and SSL_CERT_FILE, a client certificate.
func (c *command) newGuard(timeout time.Duration) (*httpguard.Guard, error) {
	o, err := c.guardOptions(timeout)
	if err != nil {
		return nil, err
	}
	return httpguard.New(o), nil
}

// guardOptions are newGuard's settings, for hosts that build the guard
// themselves (host/mcpclient).
func (c *command) guardOptions(timeout time.Duration) (httpguard.Options, error) {
	tr, err := c.networkTransport()
	if err != nil {
		return httpguard.Options{}, err
	}
	return httpguard.Options{Timeout: timeout, Client: &http.Client{Transport: tr},
		TrustHint:      "pass the authority's certificate in a PEM file with --ca-file FILE (or set SSL_CERT_FILE=FILE)",
		ClientCertHint: "give the certificate and key it accepts with --client-cert FILE --client-key FILE",
	}, nil
}

// networkTransport is HTTP on this network: proxies from the environment,
// --ca-file and SSL_CERT_FILE, a client certificate. The sandbox's guard
// and the MCP requests themselves (mcp login, mcp proxy) both go over it.
func (c *command) networkTransport() (*http.Transport, error) {
	n := c.networkSettings()
	o := httpguard.TransportOptions{ClientCertFile: n.ClientCert, ClientKeyFile: n.ClientKey}
	if n.CAFile != "" {
		o.CAFiles = append(o.CAFiles, n.CAFile)
	}
	// Go reads SSL_CERT_FILE itself on Linux and the BSDs only; naming it
	// here makes it count on macOS and Windows too.
	if f := c.env.Getenv("SSL_CERT_FILE"); f != "" {
		o.CAFiles = append(o.CAFiles, f)
	}
	tr, err := httpguard.NewTransport(o)
	if err != nil {
		return nil, usageError("%v; check --ca-file (or SSL_CERT_FILE), --client-cert and --client-key, which login records for the profile", err)
	}
	return tr, nil
}

// entryFor is the index entry a login writes: the provider without its
// secret, the origins its sandbox may reach, the store and the network
// settings (as absolute paths, so commands run elsewhere find the files).
func (c *command) entryFor(p api.Provider, allowed []string) profiles.Entry {
	p.ClientSecret, p.PromptClientSecret = "", false
	e := profiles.Entry{Provider: p, Allowed: allowed, Network: c.networkSettings()}
	if c.env.Store == nil {
		e.Store = c.storeKind()
	}
	for _, path := range []*string{&e.Network.CAFile, &e.Network.ClientCert, &e.Network.ClientKey} {
		if *path != "" {
			if abs, err := filepath.Abs(*path); err == nil {
				*path = abs
			}
		}
	}
	return e
}
