// Package discovery reads authorization server metadata, from OpenID Connect
// Discovery 1.0 or RFC 8414, and refuses metadata that could send tokens or
// credentials to a party other than the configured issuer.
package discovery

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// Metadata holds the fields this project acts on; anything else the server
// publishes is ignored.
type Metadata struct {
	Issuer                      string `json:"issuer"`
	AuthorizationEndpoint       string `json:"authorization_endpoint"`
	TokenEndpoint               string `json:"token_endpoint"`
	JWKSURI                     string `json:"jwks_uri,omitempty"`
	UserinfoEndpoint            string `json:"userinfo_endpoint,omitempty"`
	RevocationEndpoint          string `json:"revocation_endpoint,omitempty"`
	DeviceAuthorizationEndpoint string `json:"device_authorization_endpoint,omitempty"`
	IntrospectionEndpoint       string `json:"introspection_endpoint,omitempty"`
	EndSessionEndpoint          string `json:"end_session_endpoint,omitempty"`

	ScopesSupported                   []string `json:"scopes_supported,omitempty"`
	ResponseTypesSupported            []string `json:"response_types_supported,omitempty"`
	GrantTypesSupported               []string `json:"grant_types_supported,omitempty"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported,omitempty"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported,omitempty"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported,omitempty"`

	// AuthorizationResponseIssParameterSupported (RFC 9207) tells the client
	// it can detect mix-up attacks by checking iss on the redirect.
	AuthorizationResponseIssParameterSupported bool `json:"authorization_response_iss_parameter_supported,omitempty"`
}

// Parse decodes a metadata document fetched for expectedIssuer.
//
// The issuer must equal expectedIssuer byte for byte (OIDC Discovery 4.3,
// RFC 8414 3.3): not even a trailing slash may differ, because ID tokens
// carry the issuer as an exact string and a lenient match here would only
// move the failure to token validation, or let one tenant's metadata stand
// in for another's.
func Parse(body []byte, expectedIssuer string) (*Metadata, error) {
	trimmed := bytes.TrimSpace(body)
	switch {
	case len(trimmed) == 0:
		return nil, errors.New("discovery: metadata response is empty")
	case trimmed[0] == '<':
		return nil, errors.New("discovery: metadata response is an HTML page, not JSON; check the issuer URL")
	case trimmed[0] != '{':
		return nil, errors.New("discovery: metadata response is not a JSON object")
	}
	var m Metadata
	if err := json.Unmarshal(trimmed, &m); err != nil {
		return nil, fmt.Errorf("discovery: metadata is not valid: %w", err)
	}
	if m.Issuer == "" {
		return nil, errors.New("discovery: metadata has no issuer")
	}
	if m.Issuer != expectedIssuer {
		return nil, fmt.Errorf("discovery: metadata issuer %q does not match the configured issuer %q", m.Issuer, expectedIssuer)
	}
	if err := m.checkEndpoints(); err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	return &m, nil
}

func (m *Metadata) checkEndpoints() error {
	required := []struct{ field, value string }{
		{"issuer", m.Issuer},
		{"authorization_endpoint", m.AuthorizationEndpoint},
		{"token_endpoint", m.TokenEndpoint},
	}
	for _, r := range required {
		if err := CheckEndpointURL(r.field, r.value); err != nil {
			return err
		}
	}
	optional := []struct{ field, value string }{
		{"jwks_uri", m.JWKSURI},
		{"userinfo_endpoint", m.UserinfoEndpoint},
		{"revocation_endpoint", m.RevocationEndpoint},
		{"device_authorization_endpoint", m.DeviceAuthorizationEndpoint},
		{"introspection_endpoint", m.IntrospectionEndpoint},
		{"end_session_endpoint", m.EndSessionEndpoint},
	}
	for _, o := range optional {
		if o.value == "" {
			continue
		}
		if err := CheckEndpointURL(o.field, o.value); err != nil {
			return err
		}
	}
	return nil
}

// SupportsS256 reports whether PKCE with S256 may be assumed. Many servers
// omit code_challenge_methods_supported while accepting PKCE, so an absent
// list counts as support; PKCE is sent either way, this only decides whether
// to warn. An explicit list without S256 means the server said no.
func (m *Metadata) SupportsS256() bool {
	return m.CodeChallengeMethodsSupported == nil || slices.Contains(m.CodeChallengeMethodsSupported, "S256")
}
