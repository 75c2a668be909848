package flow

import (
	"net/url"
	"strings"
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/internal/apijson"
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
	// Resource is the resource indicator (RFC 8707) an MCP sign-in's
	// tokens are for, sent again with every refresh so the new token is
	// for the same resource.
	Resource string `json:"resource,omitempty"`
	// MCP says how an MCP sign-in was made (mcp.go); nil for the others.
	MCP *mcpState `json:"mcp,omitempty"`
}

// mcpState is what an MCP sign-in keeps besides tokens: for which server,
// with which client and how that client authenticates, so that refreshes
// and the next sign-in use the same, and only with the same issuer
// (Endpoints.Issuer).
type mcpState struct {
	// Server is the server's canonical URL (mcpauth.Canonical).
	Server string `json:"server"`
	// Client says where the client ID came from: pre-registered (given by
	// the user), metadata_document (a client ID metadata document URL) or
	// registered (RFC 7591, with this issuer).
	Client string `json:"client"`
	// AuthMethod is the token endpoint authentication (RFC 7591 2).
	AuthMethod string `json:"auth_method"`
	// SigningAlg is the alg of the host's key for private_key_jwt.
	SigningAlg string `json:"signing_alg,omitempty"`
	// Grant is the grant the sign-in was made with (api.Grant*).
	Grant string `json:"grant"`
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
	// PushedAuthorization is the PAR endpoint (RFC 9126), only needed
	// while starting a browser sign-in (authrequest.go).
	PushedAuthorization string `json:"-"`
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

// client is how r's client authenticates at the token endpoint.
func (r *record) client(profile string) tokenClient {
	return recordClient(profile, r.Provider, r.Endpoints, r.ClientSecret, r.MCP)
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

// saveRecord stores r and publishes its access token for hosts' fast path
// (api.ServedToken). The served entry is removed first and written last,
// so no reader ever pairs a new record with an older served token, which
// after a sign-in as someone else would be another user's.
func (e *Engine) saveRecord(profile string, r *record) *api.Error {
	if herr := e.host.SecretDelete(api.ServedKey(profile)); herr != nil {
		return storageFailure(herr)
	}
	r.Version = recordVersion
	if herr := e.host.SecretSet(profileKey(profile), string(encodeRecord(r))); herr != nil {
		return storageFailure(herr)
	}
	if s := e.servedToken(profile, r); s != nil {
		// Failing here costs speed, not correctness: without the entry,
		// hosts call the token export.
		e.host.SecretSet(api.ServedKey(profile), string(apijson.Marshal(s)))
	}
	return nil
}

// servedToken is what `token` would hand out from r without a refresh, and
// until when: the same rule as fresh. A token whose expiry the server did
// not give is never published; only the token export serves it.
func (e *Engine) servedToken(profile string, r *record) *api.ServedToken {
	t := &r.Token
	if t.AccessToken == "" || t.ExpiresAt == 0 {
		return nil
	}
	until := time.Unix(t.ExpiresAt, 0).Add(-AccessTokenSkew).Unix()
	if until <= e.now().Unix() {
		return nil
	}
	return &api.ServedToken{Profile: profile, AccessToken: t.AccessToken, TokenType: t.TokenType,
		ExpiresAt: t.ExpiresAt, ServeUntil: until}
}

func storageFailure(e *api.Error) *api.Error {
	return &api.Error{Code: api.CodeStorage, Message: e.Message}
}
