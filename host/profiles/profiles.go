// Package profiles is the host's own, non-secret record of sign-ins: which
// provider each profile uses and which origins its sandbox may reach. The
// plugin keeps tokens in the secret store; this file holds no secret, so a
// host knows a profile's allowlist before the plugin runs. The CLI and the
// Go library share it, so a program sees the profiles `host login` made.
package profiles

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// Index is profiles.json in the configuration directory.
type Index struct {
	Default  string           `json:"default,omitempty"`
	Profiles map[string]Entry `json:"profiles"`
	path     string
}

// Entry is one profile.
type Entry struct {
	Provider api.Provider `json:"provider"` // ClientSecret always empty here
	// Allowed are the origins the plugin may reach for this profile: the
	// issuer, explicit endpoints and those its discovery document named.
	Allowed []string `json:"allowed_origins"`
	// GitHosts are the hosts (host[:port]) git-credential answers for, set
	// with login --git-host; empty means the issuer's host.
	GitHosts []string `json:"git_hosts,omitempty"`
	// Store is the secret store the sign-in was kept in ("keyring" or
	// "file"), so later commands look there without being told again.
	Store string `json:"store,omitempty"`
	// Network is how this profile's provider is reached (settings.go).
	Network Network `json:"network,omitzero"`
	// MCPServer is the canonical URL of the MCP server a profile signed in
	// to (host/mcpclient); Provider is then its authorization server.
	MCPServer string `json:"mcp_server,omitempty"`
}

// Dir is the configuration directory: WASMLOGIN_CONFIG_DIR, else
// wasmlogin under the user's configuration directory.
func Dir(getenv func(string) string) (string, error) {
	if d := getenv("WASMLOGIN_CONFIG_DIR"); d != "" {
		return d, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no configuration directory (set WASMLOGIN_CONFIG_DIR): %w", err)
	}
	return filepath.Join(base, "wasmlogin"), nil
}

// Load reads the index of the configuration directory (empty if none yet).
func Load(dir string) (*Index, error) {
	ix := &Index{Profiles: map[string]Entry{}, path: filepath.Join(dir, "profiles.json")}
	b, err := os.ReadFile(ix.path)
	if errors.Is(err, fs.ErrNotExist) {
		return ix, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, ix); err != nil {
		return nil, fmt.Errorf("%s is damaged (%v); remove it and log in again", ix.path, err)
	}
	if ix.Profiles == nil {
		ix.Profiles = map[string]Entry{}
	}
	return ix, nil
}

// Update applies change to the current index under a cross-process lock,
// so two logins finishing at once do not lose each other's profile.
func Update(ctx context.Context, dir string, change func(*Index) error) error {
	unlock, err := lockIndex(ctx, dir)
	if err != nil {
		return err
	}
	defer unlock()
	ix, err := Load(dir)
	if err != nil {
		return err
	}
	if err := change(ix); err != nil {
		return err
	}
	return ix.Save()
}

// Save writes the index atomically, readable by the user only.
func (ix *Index) Save() error {
	if err := os.MkdirAll(filepath.Dir(ix.path), 0o700); err != nil {
		return err
	}
	b, err := json.MarshalIndent(ix, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(ix.path), ".profiles-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), ix.path)
}

// Find resolves the profile a caller means: named, matching the issuer and
// client given, or the default.
func (ix *Index) Find(name string, p *api.Provider) (string, Entry, error) {
	switch {
	case name != "":
		e, ok := ix.Profiles[name]
		if !ok {
			return "", e, &api.Error{Code: api.CodeLoginRequired, Message: fmt.Sprintf("no profile %q; run login --profile %s first", name, name)}
		}
		return name, e, nil
	case p.Issuer != "" || p.ClientID != "":
		for n, e := range ix.Profiles {
			if (p.Issuer == "" || e.Provider.Issuer == p.Issuer) && (p.ClientID == "" || e.Provider.ClientID == p.ClientID) {
				return n, e, nil
			}
		}
		return "", Entry{}, &api.Error{Code: api.CodeLoginRequired, Message: "not signed in to that issuer and client; run login first"}
	case ix.Default != "":
		if e, ok := ix.Profiles[ix.Default]; ok {
			return ix.Default, e, nil
		}
	}
	if len(ix.Profiles) > 0 {
		return "", Entry{}, noDefault(ix)
	}
	return "", Entry{}, &api.Error{Code: api.CodeLoginRequired, Message: "not signed in; run login --issuer URL --client-id ID"}
}
