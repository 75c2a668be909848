package flow

import (
	"strings"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// Status describes a stored sign-in without revealing any secret.
func (e *Engine) Status(ref api.ProfileRef) (*api.Session, *api.Error) {
	profile, perr := e.resolveProfile(ref)
	if perr != nil {
		return nil, perr
	}
	r, err := e.loadRecord(profile)
	if err != nil {
		return nil, err
	}
	return sessionOf(profile, r), nil
}

// Logout forgets a profile's tokens and client secret.
func (e *Engine) Logout(ref api.ProfileRef) (*api.LogoutResult, *api.Error) {
	profile, perr := e.resolveProfile(ref)
	if perr != nil {
		return nil, perr
	}
	_, found, herr := e.host.SecretGet(profileKey(profile))
	if herr != nil {
		return nil, storageFailure(herr)
	}
	if found {
		if herr := e.host.SecretDelete(profileKey(profile)); herr != nil {
			return nil, storageFailure(herr)
		}
	}
	if def, ok, _ := e.host.SecretGet(defaultProfileKey); ok && def == profile {
		if herr := e.host.SecretDelete(defaultProfileKey); herr != nil {
			return nil, storageFailure(herr)
		}
	}
	return &api.LogoutResult{Profile: profile, Removed: found}, nil
}

func sessionOf(profile string, r *record) *api.Session {
	s := &api.Session{Profile: profile, Issuer: r.Endpoints.Issuer, ClientID: r.Provider.ClientID,
		ExpiresAt: r.Token.ExpiresAt, HasRefreshToken: r.Token.RefreshToken != "", Claims: r.Claims}
	if sub, ok := r.Claims["sub"].(string); ok {
		s.Subject = sub
	}
	if r.Token.Scope != "" {
		s.Scopes = strings.Fields(r.Token.Scope)
	} else {
		s.Scopes = r.Provider.Scopes
	}
	return s
}
