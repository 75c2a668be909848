package httptrace

import (
	"net/http"
	"strings"
)

// The trace fails closed: a value is printed only under a name known to
// carry nothing secret. Everything else is redacted, and unparsable input
// is redacted whole. The lists are the registered OAuth and OpenID Connect
// names whose values are public by design (endpoint URLs, algorithm and
// grant names, lifetimes, error codes, public keys); a name missing here
// costs a "[redacted]" in a debug log, never a leaked credential.

// shownParams are form and query parameters printed with their value
// (RFC 6749 4.1.1, 4.1.3, 5.2 and 6; RFC 7009 2.1; RFC 7636 4.3; RFC 8693
// 2.1; RFC 9207 2; OpenID Connect Core 3.1.2.1).
var shownParams = set("grant_type", "response_type", "response_mode", "client_id", "redirect_uri", "scope",
	"code_challenge_method", "token_type_hint", "audience", "resource", "requested_token_type",
	"subject_token_type", "actor_token_type", "issued_token_type", "token_type", "expires_in", "interval",
	"error", "error_description", "error_uri", "iss", "prompt", "access_type", "max_age", "ui_locales",
	"display", "acr_values")

// namedSecrets are names printed with "[redacted]" in place of the value,
// so a trace still shows that a code or token was sent. Any other name is
// not printed at all: a body that merely looks like a form may have a
// secret in the name position.
var namedSecrets = set("access_token", "refresh_token", "id_token", "code", "code_verifier", "code_challenge",
	"client_secret", "client_assertion", "client_assertion_type", "device_code", "user_code",
	"verification_uri_complete", "subject_token", "actor_token", "token", "password", "username",
	"assertion", "state", "nonce", "login_hint", "session_state")

// shownFields are JSON members printed with their value: discovery
// metadata (OpenID Connect Discovery 1.0 section 3, RFC 8414 section 2),
// token and device responses (RFC 6749 5.1, RFC 8628 3.2, RFC 8693 2.2.1),
// errors (RFC 6749 5.2), public JWK members (RFC 7517 4, RFC 7518 6) and
// the non-personal claims of userinfo and introspection answers. Members
// ending in "_supported" are metadata lists of algorithm and feature names.
var shownFields = set("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint",
	"revocation_endpoint", "introspection_endpoint", "device_authorization_endpoint",
	"pushed_authorization_request_endpoint", "end_session_endpoint", "registration_endpoint",
	"check_session_iframe", "service_documentation", "op_policy_uri", "op_tos_uri",
	"require_pushed_authorization_requests", "authorization_response_iss_parameter_supported",
	"token_type", "expires_in", "ext_expires_in", "refresh_expires_in", "refresh_token_expires_in", "expires_at",
	"scope", "issued_token_type", "interval", "verification_uri", "verification_url",
	"error", "error_description", "error_uri",
	"keys", "kty", "kid", "use", "alg", "key_ops", "n", "e", "crv", "x", "y", "x5t", "x5t#S256",
	"sub", "iss", "aud", "azp", "exp", "iat", "nbf", "auth_time", "active", "client_id")

// shownHeaders are headers printed with their value; Location is printed
// through the URL redaction. Every other header's value is redacted
// (Authorization, Proxy-Authorization, cookies, DPoP proofs, anything a
// server or proxy invents).
var shownHeaders = set("Accept", "Accept-Encoding", "Cache-Control", "Content-Encoding", "Content-Length",
	"Content-Type", "Date", "Expires", "Pragma", "Retry-After", "Server", "User-Agent", "Vary")

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

func fieldShown(name string) bool {
	return shownFields[name] || (strings.HasSuffix(name, "_supported") && isPlainName(name))
}

func headerShown(name string) bool { return shownHeaders[http.CanonicalHeaderKey(name)] }

// isPlainName is a lower-case registry-style name (letters, digits,
// underscores), the only kind a name-based rule may widen to.
func isPlainName(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return s != ""
}
