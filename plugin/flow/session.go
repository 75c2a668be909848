package flow

import (
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

// Logout forgets a profile's tokens and client secret, after asking the
// server to revoke the tokens (revoke.go).
func (e *Engine) Logout(ref api.ProfileRef) (*api.LogoutResult, *api.Error) {
	profile, perr := e.resolveProfile(ref)
	if perr != nil {
		return nil, perr
	}
	// The served copy goes first: a host must not hand out a token that
	// is about to be revoked.
	if herr := e.host.SecretDelete(api.ServedKey(profile)); herr != nil {
		return nil, storageFailure(herr)
	}
	raw, found, herr := e.host.SecretGet(profileKey(profile))
	if herr != nil {
		return nil, storageFailure(herr)
	}
	res := &api.LogoutResult{Profile: profile, Removed: found}
	if found {
		res.Revoked, res.RevocationNote = e.revokeStored(profile, raw) // never stops the deletion below
		if herr := e.host.SecretDelete(profileKey(profile)); herr != nil {
			return nil, storageFailure(herr)
		}
	}
	if def, ok, _ := e.host.SecretGet(defaultProfileKey); ok && def == profile {
		if herr := e.host.SecretDelete(defaultProfileKey); herr != nil {
			return nil, storageFailure(herr)
		}
	}
	return res, nil
}

func sessionOf(profile string, r *record) *api.Session {
	s := &api.Session{Profile: profile, Issuer: r.Endpoints.Issuer, ClientID: r.Provider.ClientID,
		ExpiresAt: r.Token.ExpiresAt, HasRefreshToken: r.Token.RefreshToken != "", Claims: r.Claims, Resource: r.Resource}
	if sub, ok := r.Claims["sub"].(string); ok {
		s.Subject = sub
	}
	if iss, ok := r.Claims["iss"].(string); ok && iss != "" {
		s.Issuer = iss // the user's tenant where discovery named a template
	}
	if r.Token.Scope != "" {
		s.Scopes = splitScope(r.Token.Scope)
	} else {
		s.Scopes = r.Provider.Scopes
	}
	return s
}
