package mcpauth

import (
	"bytes"
	"errors"
	"fmt"
	"slices"

	"github.com/wasmlogin/wasmlogin/plugin/internal/jsonv"
)

// Token endpoint authentication methods (RFC 7591 2, RFC 7523 2.2).
const (
	AuthNone          = "none"
	AuthSecretBasic   = "client_secret_basic"
	AuthSecretPost    = "client_secret_post"
	AuthPrivateKeyJWT = "private_key_jwt"
)

// KnownAuthMethod reports whether m is a method this profile can use.
func KnownAuthMethod(m string) bool {
	return m == AuthNone || m == AuthSecretBasic || m == AuthSecretPost || m == AuthPrivateKeyJWT
}

// ClientMetadata is what a native MCP client registers (RFC 7591 2).
type ClientMetadata struct {
	ClientName      string
	RedirectURIs    []string
	TokenAuthMethod string
	// Scope is the space-separated scope the client will ask for.
	Scope string
}

// RegistrationRequest is the JSON body of an RFC 7591 3.1 registration.
// A command-line or desktop client is a native application (OpenID Connect
// Registration 2, application_type): servers then accept its loopback
// redirect URIs. It asks for the authorization code and refresh token
// grants, so a server that honours grant_types issues refresh tokens.
func RegistrationRequest(m ClientMetadata) []byte {
	var w jsonv.Writer
	w.BeginObject()
	w.Key("client_name").String(m.ClientName)
	w.Key("redirect_uris").Strings(m.RedirectURIs)
	w.Key("grant_types").Strings([]string{"authorization_code", "refresh_token"})
	w.Key("response_types").Strings([]string{"code"})
	w.Key("token_endpoint_auth_method").String(m.TokenAuthMethod)
	w.Key("application_type").String("native")
	if m.Scope != "" {
		w.Key("scope").String(m.Scope)
	}
	w.EndObject()
	return w.B
}

// RegistrationAuthMethod is the token endpoint authentication a native
// client asks for at registration: none (a public client, RFC 8252 8.4)
// when the server accepts it or does not say, else the first secret-based
// method it lists.
func RegistrationAuthMethod(supported []string) string {
	if len(supported) == 0 || slices.Contains(supported, AuthNone) {
		return AuthNone
	}
	for _, m := range []string{AuthSecretBasic, AuthSecretPost} {
		if slices.Contains(supported, m) {
			return m
		}
	}
	return AuthNone
}

// Registered is a successful registration's answer (RFC 7591 3.2.1).
type Registered struct {
	ClientID     string
	ClientSecret string
	// TokenAuthMethod is how the client must authenticate, as the server
	// registered it: the server may change what was asked for.
	TokenAuthMethod string
}

// ParseRegistered reads a 200 or 201 registration answer. Without
// token_endpoint_auth_method the RFC 7591 2 default applies:
// client_secret_basic when a secret was issued, none otherwise.
func ParseRegistered(body []byte) (*Registered, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, errors.New("the answer is not a JSON object")
	}
	v, err := jsonv.Parse(trimmed)
	if err != nil {
		return nil, fmt.Errorf("the answer is not valid JSON: %w", err)
	}
	var r Registered
	if err := v.DecodeFields([]jsonv.Field{
		jsonv.Always("client_id", &r.ClientID),
		jsonv.Always("client_secret", &r.ClientSecret),
		jsonv.Always("token_endpoint_auth_method", &r.TokenAuthMethod),
	}); err != nil {
		return nil, fmt.Errorf("the answer is not valid: %w", err)
	}
	if r.ClientID == "" {
		return nil, errors.New("the answer has no client_id")
	}
	switch {
	case r.TokenAuthMethod == "" && r.ClientSecret != "":
		r.TokenAuthMethod = AuthSecretBasic
	case r.TokenAuthMethod == "":
		r.TokenAuthMethod = AuthNone
	case !KnownAuthMethod(r.TokenAuthMethod):
		return nil, fmt.Errorf("the server registered the client for token endpoint authentication %q, which this client cannot do", clip(r.TokenAuthMethod))
	case r.TokenAuthMethod != AuthNone && r.TokenAuthMethod != AuthPrivateKeyJWT && r.ClientSecret == "":
		return nil, fmt.Errorf("the server registered the client for %s but issued no secret", r.TokenAuthMethod)
	case r.TokenAuthMethod == AuthPrivateKeyJWT:
		return nil, errors.New("the server registered the client for private_key_jwt, but no key was registered")
	}
	return &r, nil
}
