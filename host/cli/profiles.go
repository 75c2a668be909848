package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// profileIndex is the host's own, non-secret record of sign-ins: which
// provider each profile uses and which origins its sandbox may reach. The
// plugin keeps tokens in the secret store; this file holds no secret, so
// `token --profile X` knows the allowlist before the plugin runs.
type profileIndex struct {
	Default  string                  `json:"default,omitempty"`
	Profiles map[string]profileEntry `json:"profiles"`
	path     string
}

type profileEntry struct {
	Provider api.Provider `json:"provider"` // ClientSecret always empty here
	// Allowed are the origins the plugin may reach for this profile: the
	// issuer, explicit endpoints and those its discovery document named.
	Allowed []string `json:"allowed_origins"`
}

func configDir(getenv func(string) string) (string, error) {
	if d := getenv("WASMLOGIN_CONFIG_DIR"); d != "" {
		return d, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no configuration directory (set WASMLOGIN_CONFIG_DIR): %w", err)
	}
	return filepath.Join(base, "wasmlogin"), nil
}

func loadIndex(getenv func(string) string) (*profileIndex, error) {
	dir, err := configDir(getenv)
	if err != nil {
		return nil, err
	}
	ix := &profileIndex{Profiles: map[string]profileEntry{}, path: filepath.Join(dir, "profiles.json")}
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
		ix.Profiles = map[string]profileEntry{}
	}
	return ix, nil
}

// save writes the index atomically, readable by the user only.
func (ix *profileIndex) save() error {
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

// find resolves the profile a command means: named, matching the issuer and
// client given, or the default.
func (ix *profileIndex) find(name string, p *api.Provider) (string, profileEntry, error) {
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
		return "", profileEntry{}, &api.Error{Code: api.CodeLoginRequired, Message: "not signed in to that issuer and client; run login first"}
	case ix.Default != "":
		if e, ok := ix.Profiles[ix.Default]; ok {
			return ix.Default, e, nil
		}
	}
	return "", profileEntry{}, &api.Error{Code: api.CodeLoginRequired, Message: "not signed in; run login --issuer URL --client-id ID"}
}
