package mcpauth

import (
	"encoding/base64"

	"github.com/wasmlogin/wasmlogin/plugin/internal/jsonv"
)

// ClientAssertionType is client_assertion_type for a JWT (RFC 7523 2.2).
const ClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// AssertionLifetime is how long a client assertion is valid: it is used
// once, at once, so a short life limits what a copy of it is worth.
const AssertionLifetime = 300 // seconds

// SigningAlgs are the JWS algorithms a host signs with (wit/flow.wit,
// sign-request).
var SigningAlgs = []string{"RS256", "PS256", "ES256", "ES384", "EdDSA"}

// Assertion describes an RFC 7523 2.2 client assertion: a JWT the client
// signs to authenticate itself at a token endpoint.
type Assertion struct {
	Alg      string
	ClientID string
	// Audience identifies the authorization server: its issuer
	// identifier, which RFC 7523 3 allows and draft-ietf-oauth-rfc7523bis
	// makes the one value to use, so an assertion made for one server
	// cannot be replayed at another that shares a token endpoint.
	Audience string
	// ID is the jti, unique per assertion (RFC 7523 3, item 7).
	ID       string
	IssuedAt int64 // unix seconds
}

// SigningInput is the JWS signing input of the assertion (RFC 7515 5.1):
// base64url(header) "." base64url(claims). iss and sub are both the client
// ID (RFC 7523 3, items 1 and 2); exp follows iat by AssertionLifetime.
func (a Assertion) SigningInput() string {
	var h jsonv.Writer
	h.BeginObject()
	h.Key("alg").String(a.Alg)
	h.Key("typ").String("JWT")
	h.EndObject()
	var c jsonv.Writer
	c.BeginObject()
	c.Key("iss").String(a.ClientID)
	c.Key("sub").String(a.ClientID)
	c.Key("aud").String(a.Audience)
	c.Key("jti").String(a.ID)
	c.Key("iat").Int(a.IssuedAt)
	c.Key("exp").Int(a.IssuedAt + AssertionLifetime)
	c.EndObject()
	return base64.RawURLEncoding.EncodeToString(h.B) + "." + base64.RawURLEncoding.EncodeToString(c.B)
}
