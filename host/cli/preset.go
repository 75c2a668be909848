package cli

import (
	"os"

	"golang.org/x/term"

	"github.com/wasmlogin/wasmlogin/host/presets"
	"github.com/wasmlogin/wasmlogin/host/profiles"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// applyPreset fills what the user left out of p from --provider NAME's
// preset (explicit flags win) and checks what the preset says a sign-in
// needs: a client ID, and for some providers the client secret.
func (c *command) applyPreset(p *api.Provider, ix *profiles.Index) error {
	if c.presetName == "" {
		if c.tenant != "" {
			return &api.Error{Code: api.CodeBadInput, Message: "--tenant goes with --provider microsoft"}
		}
		return nil
	}
	ps, err := presets.Lookup(c.presetName)
	if err != nil {
		return &api.Error{Code: api.CodeBadInput, Message: err.Error()}
	}
	c.presetOrigins = ps.OriginsFor(*p)
	merged, err := ps.Apply(*p, presets.Options{Tenant: c.tenant})
	if err != nil {
		return &api.Error{Code: api.CodeBadInput, Message: err.Error()}
	}
	*p = merged
	if c.redirectHost == "" {
		c.redirectHost = ps.RedirectHost
	}
	if p.ClientID == "" {
		return &api.Error{Code: api.CodeBadInput, Message: ps.MissingClientID()}
	}
	if ps.SecretRequired && c.secretEnv == "" && !p.PromptClientSecret && !(c.device && ps.DeviceWithoutSecret) {
		// A secret stored by an earlier sign-in is found by the plugin; at a
		// terminal the plugin may ask. Otherwise say how to give it before
		// a browser is sent anywhere.
		if !signedInBefore(ix, c.profile, p) && !stdinIsTerminal(c.env) {
			return &api.Error{Code: api.CodeBadInput, Message: ps.MissingSecret()}
		}
		p.PromptClientSecret = true
	}
	return nil
}

// signedInBefore says whether the profile index has a sign-in with this
// client at this provider, whose secret the plugin may have stored.
func signedInBefore(ix *profiles.Index, profile string, p *api.Provider) bool {
	if e, ok := ix.Profiles[profile]; ok && profile != "" {
		return e.Provider.ClientID == p.ClientID
	}
	for _, e := range ix.Profiles {
		if e.Provider.ClientID == p.ClientID && e.Provider.Issuer == p.Issuer && e.Provider.TokenEndpoint == p.TokenEndpoint {
			return true
		}
	}
	return false
}

func stdinIsTerminal(env Env) bool {
	f, ok := env.Stdin.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
