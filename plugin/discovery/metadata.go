// Package discovery reads authorization server metadata, from OpenID Connect
// Discovery 1.0 or RFC 8414, and refuses metadata that could send tokens or
// credentials to a party other than the configured issuer.
package discovery

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/wasmlogin/wasmlogin/plugin/internal/jsonv"
)

// Metadata holds the fields this project acts on; anything else the server
// publishes is ignored.
type Metadata struct {
	Issuer                      string
	AuthorizationEndpoint       string
	TokenEndpoint               string
	JWKSURI                     string
	UserinfoEndpoint            string
	RevocationEndpoint          string
	DeviceAuthorizationEndpoint string
	IntrospectionEndpoint       string
	EndSessionEndpoint          string
	// PushedAuthorizationRequestEndpoint (RFC 9126 5): where the client
	// may push its authorization request before sending the browser.
	PushedAuthorizationRequestEndpoint string
	// RegistrationEndpoint (RFC 8414 2, RFC 7591 3): where a client may
	// register itself. Checked by its one user (an MCP sign-in), so a
	// provider's odd value does not break the flows that never use it.
	RegistrationEndpoint string

	ScopesSupported                   []string
	ResponseTypesSupported            []string
	GrantTypesSupported               []string
	CodeChallengeMethodsSupported     []string
	TokenEndpointAuthMethodsSupported []string
	IDTokenSigningAlgValuesSupported  []string

	// AuthorizationResponseIssParameterSupported (RFC 9207) tells the client
	// it can detect mix-up attacks by checking iss on the redirect.
	AuthorizationResponseIssParameterSupported bool
	// ClientIDMetadataDocumentSupported: the server accepts an https URL
	// as client_id and reads the client's metadata from it (OAuth Client
	// ID Metadata Document, draft-ietf-oauth-client-id-metadata-document).
	ClientIDMetadataDocumentSupported bool
}

// Parse decodes a metadata document fetched for expectedIssuer.
//
// The issuer must equal expectedIssuer byte for byte (OIDC Discovery 4.3,
// RFC 8414 3.3): not even a trailing slash may differ, because ID tokens
// carry the issuer as an exact string and a lenient match here would only
// move the failure to token validation, or let one tenant's metadata stand
// in for another's. The one exception is a multi-tenant alias (tenantAlias).
func Parse(body []byte, expectedIssuer string) (*Metadata, error) {
	m, err := parse(body)
	if err != nil {
		return nil, err
	}
	if m.Issuer != expectedIssuer && !tenantAlias(m.Issuer, expectedIssuer) {
		return nil, errors.New("discovery: metadata issuer " + strconv.Quote(m.Issuer) + " does not match the configured issuer " + strconv.Quote(expectedIssuer))
	}
	if err := m.checkEndpoints(); err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	return m, nil
}

// ParseOnOrigin decodes the metadata an MCP server of the 2025-03-26
// revision publishes at its own origin's RFC 8414 location. That revision
// made the server's origin the authorization base, so no issuer was
// configured to compare with; the issuer must still be an https URL on
// that origin (the server speaks for itself, never for another host).
func ParseOnOrigin(body []byte, origin string) (*Metadata, error) {
	m, err := parse(body)
	if err != nil {
		return nil, err
	}
	if err := CheckEndpointURL("issuer", m.Issuer); err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	if u, _ := url.Parse(m.Issuer); !strings.EqualFold(u.Scheme+"://"+u.Host, origin) || u.RawQuery != "" {
		return nil, errors.New("discovery: metadata issuer " + strconv.Quote(m.Issuer) + " is not on the server's own origin " + strconv.Quote(origin))
	}
	if err := m.checkEndpoints(); err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	return m, nil
}

func parse(body []byte) (*Metadata, error) {
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
	v, err := jsonv.Parse(trimmed)
	if err == nil {
		err = v.DecodeFields(m.fields())
	}
	if err != nil {
		return nil, fmt.Errorf("discovery: metadata is not valid: %w", err)
	}
	if m.Issuer == "" {
		return nil, errors.New("discovery: metadata has no issuer")
	}
	return &m, nil
}

// tenantAlias accepts the one documented exception to the exact match:
// metadata fetched from Microsoft's multi-tenant aliases "common" and
// "organizations" (https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc#find-your-apps-openid-configuration-document-uri)
// names the issuer as a template (see TenantPlaceholder). The alias must
// sit where the placeholder is, so the origin and the rest of the path
// still match; the ID token's issuer is then checked against its own
// tenant. A configured tenant of its own never accepts a template, so it
// never accepts another tenant's users.
func tenantAlias(template, configured string) bool {
	alias, ok := MatchTenantTemplate(template, configured)
	return ok && (alias == "common" || alias == "organizations")
}

// fields lists the members of the metadata document that are read.
func (m *Metadata) fields() []jsonv.Field {
	return []jsonv.Field{
		jsonv.Always("issuer", &m.Issuer),
		jsonv.Always("authorization_endpoint", &m.AuthorizationEndpoint),
		jsonv.Always("token_endpoint", &m.TokenEndpoint),
		jsonv.Always("jwks_uri", &m.JWKSURI),
		jsonv.Always("userinfo_endpoint", &m.UserinfoEndpoint),
		jsonv.Always("revocation_endpoint", &m.RevocationEndpoint),
		jsonv.Always("device_authorization_endpoint", &m.DeviceAuthorizationEndpoint),
		jsonv.Always("introspection_endpoint", &m.IntrospectionEndpoint),
		jsonv.Always("end_session_endpoint", &m.EndSessionEndpoint),
		jsonv.Always("pushed_authorization_request_endpoint", &m.PushedAuthorizationRequestEndpoint),
		jsonv.Always("registration_endpoint", &m.RegistrationEndpoint),
		jsonv.Always("scopes_supported", &m.ScopesSupported),
		jsonv.Always("response_types_supported", &m.ResponseTypesSupported),
		jsonv.Always("grant_types_supported", &m.GrantTypesSupported),
		jsonv.Always("code_challenge_methods_supported", &m.CodeChallengeMethodsSupported),
		jsonv.Always("token_endpoint_auth_methods_supported", &m.TokenEndpointAuthMethodsSupported),
		jsonv.Always("id_token_signing_alg_values_supported", &m.IDTokenSigningAlgValuesSupported),
		jsonv.Always("authorization_response_iss_parameter_supported", &m.AuthorizationResponseIssParameterSupported),
		jsonv.Always("client_id_metadata_document_supported", &m.ClientIDMetadataDocumentSupported),
	}
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
		{"pushed_authorization_request_endpoint", m.PushedAuthorizationRequestEndpoint},
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
