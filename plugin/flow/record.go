package flow

import (
	"net/url"
	"strings"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// record is everything a profile keeps in the host's secret store, as one
// entry so that a token and the refresh token it came with are always
// written together (a rotated refresh token is never half-persisted). The
// tags document the stored JSON, which record_json.go reads and writes.
type record struct {
	Version      int          `json:"v"`
	Provider     api.Provider `json:"provider"` // ClientSecret stripped; kept below
	Endpoints    endpoints    `json:"endpoints"`
	ClientSecret string       `json:"client_secret,omitempty"`
	Grant        string       `json:"grant,omitempty"` // "client_credentials": renews by that grant, not by refresh
	Token        storedToken  `json:"token"`
	// Claims are the validated ID token's claims: the identity, kept across
	// refreshes that bring no new ID token.
	Claims map[string]any `json:"claims,omitempty"`
}

type storedToken struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	Scope        string `json:"scope,omitempty"`
	ExpiresAt    int64  `json:"expires_at,omitempty"`
}

// endpoints is what discovery (or the user's explicit configuration) told us.
// Stored so that `token` refreshes without fetching discovery again.
type endpoints struct {
	Issuer           string   `json:"issuer,omitempty"`
	Authorization    string   `json:"authorization"`
	Token            string   `json:"token"`
	JWKS             string   `json:"jwks,omitempty"`
	Userinfo         string   `json:"userinfo,omitempty"`
	Revocation       string   `json:"revocation,omitempty"`
	IssParameter     bool     `json:"iss_parameter,omitempty"`
	TokenAuthMethods []string `json:"token_auth_methods,omitempty"`
	OIDC             bool     `json:"oidc,omitempty"`
	// ScopesSupported is only needed while choosing default scopes.
	ScopesSupported []string `json:"-"`
	// Device is the device authorization endpoint (RFC 8628), only needed
	// while starting a device sign-in.
	Device string `json:"-"`
}

const recordVersion = 1

// Secret store keys. The host namespaces them further (service name).
const defaultProfileKey = "default-profile"

func profileKey(profile string) string { return "profile/" + profile }

// DeriveProfile names a sign-in after where it was made: issuer host and
// path plus the client, so two clients of one server do not collide.
func DeriveProfile(p *api.Provider) string {
	base := p.Issuer
	if base == "" {
		base = p.TokenEndpoint
	}
	if u, err := url.Parse(base); err == nil && u.Host != "" {
		base = u.Host + strings.TrimSuffix(u.Path, "/")
	}
	return base + "#" + p.ClientID
}

func (e *Engine) loadRecord(profile string) (*record, *api.Error) {
	raw, found, herr := e.host.SecretGet(profileKey(profile))
	if herr != nil {
		return nil, storageFailure(herr)
	}
	if !found {
		return nil, failf(api.CodeLoginRequired, "no sign-in is stored for profile %q; run login first", profile)
	}
	r, err := decodeRecord([]byte(raw))
	if err != nil || r.Version != recordVersion {
		return nil, failf(api.CodeLoginRequired, "the stored sign-in for profile %q is unreadable (from another version?); run login again", profile)
	}
	return r, nil
}

func (e *Engine) saveRecord(profile string, r *record) *api.Error {
	r.Version = recordVersion
	if herr := e.host.SecretSet(profileKey(profile), string(encodeRecord(r))); herr != nil {
		return storageFailure(herr)
	}
	return nil
}

func storageFailure(e *api.Error) *api.Error {
	return &api.Error{Code: api.CodeStorage, Message: e.Message}
}
