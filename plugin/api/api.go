// Package api holds the JSON payloads that cross the boundary between the
// flow plugin and its host: the inputs and outputs of the plugin's exports and
// of the host functions it imports. The WIT world in wit/ describes the same
// shapes; both sides import this package so the Go host and the plugin cannot
// disagree about a field name.
//
// Every reply is an envelope: {"ok": <value>} or {"error": <Error>}, the JSON
// form of a WIT result<T, E>.
package api

// Error is what an export or a host function reports when it fails. Code is a
// stable machine-readable word (see the constants); Message is for people and
// says what to do next.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// ServerError and ServerDescription carry the authorization server's own
	// "error" and "error_description" when it sent them (RFC 6749 5.2).
	ServerError       string `json:"server_error,omitempty"`
	ServerDescription string `json:"server_description,omitempty"`
	// RetryAfter is set for transient failures when the server said when to retry.
	RetryAfterSeconds int `json:"retry_after_seconds,omitempty"`
}

func (e *Error) Error() string { return e.Message }

// Error codes reported by the plugin's exports.
const (
	CodeBadInput      = "bad_input"           // the call's input is malformed or incomplete
	CodeLoginRequired = "login_required"      // nothing stored, or the refresh token is dead: run login
	CodeServer        = "server_error"        // the authorization server refused (see ServerError)
	CodeTransient     = "transient"           // network or 5xx: try again later, nothing was lost
	CodeInvalidResp   = "invalid_response"    // the server's answer could not be understood
	CodeCallback      = "callback_rejected"   // the redirect back did not pass validation
	CodeIDToken       = "id_token_invalid"    // the ID token failed validation
	CodeStorage       = "storage_unavailable" // the host could not read or write secrets
	CodeUnknownFlow   = "unknown_flow"        // login_complete for a flow this instance did not start
	CodeUntrustedHost = "untrusted_host"      // the host's signature verification failed the self-test
	CodeInternal      = "internal"
)

// Host-function error kinds (Error.Code in a host function's reply).
const (
	HostDisallowedHost = "disallowed_host" // the URL's host is not on the allowlist
	HostRedirect       = "redirect"        // never reported: redirects are returned as responses
	HostTimeout        = "timeout"
	HostConnect        = "connect"
	// HostCertificate: the server's TLS certificate was not accepted (an
	// unknown authority, another name, expired) or it refused the client's.
	// Unlike connect it is not transient: trying again meets the same
	// certificate.
	HostCertificate = "certificate"
	HostTooLarge    = "too_large" // the response body exceeded the host's cap
	HostUnavailable = "unavailable"
	HostDenied      = "denied" // the user or the host declined (prompt, browser)
)

// Reply is the envelope around every value crossing the boundary.
type Reply[T any] struct {
	OK    *T     `json:"ok,omitempty"`
	Error *Error `json:"error,omitempty"`
}

// ---- Host functions (imported by the plugin from extism:host/user) ----

// HTTPRequest asks the host to perform one HTTP exchange. The host never
// follows redirects, allows only hosts derived from the configured issuer and
// its discovered endpoints, applies a timeout and caps the response size.
type HTTPRequest struct {
	Method  string              `json:"method"`
	URL     string              `json:"url"`
	Headers map[string][]string `json:"headers,omitempty"`
	Body    string              `json:"body,omitempty"`
}

// HTTPResponse is the whole answer: status, every header (canonical names) and body.
type HTTPResponse struct {
	Status  int                 `json:"status"`
	Headers map[string][]string `json:"headers"`
	Body    string              `json:"body"`
}

// OpenBrowserRequest asks the host to show URL in the user's browser.
type OpenBrowserRequest struct {
	URL string `json:"url"`
}

// OpenBrowserResult says whether a browser was started.
type OpenBrowserResult struct {
	Opened bool `json:"opened"`
}

// NotifyRequest tells the user something. Level is "info" or "warn".
type NotifyRequest struct {
	Level   string `json:"level"`
	Message string `json:"message"`
}

// PromptRequest asks the user for a line of text; Secret means no echo.
type PromptRequest struct {
	Message string `json:"message"`
	Secret  bool   `json:"secret"`
}

// PromptResult is the user's answer.
type PromptResult struct {
	Value string `json:"value"`
}

// SecretKey names a secret in the host's store (the host namespaces it).
type SecretKey struct {
	Key string `json:"key"`
}

// SecretValue is a key with its value, for secret_set.
type SecretValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// SecretLookup is secret_get's answer.
type SecretLookup struct {
	Found bool   `json:"found"`
	Value string `json:"value,omitempty"`
}

// Empty is the value of replies that carry nothing but success.
type Empty struct{}

// PublicJWK is a public key as a JSON Web Key (RFC 7517), only the members
// that define it; values are base64url without padding.
type PublicJWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
}

// VerifySignatureRequest asks the host's platform crypto whether Signature
// is a valid Alg signature of Message under JWK. Message and Signature are
// base64url without padding.
type VerifySignatureRequest struct {
	Alg       string    `json:"alg"`
	JWK       PublicJWK `json:"jwk"`
	Message   string    `json:"message"`
	Signature string    `json:"signature"`
}

// VerifySignatureResult is verify_signature's answer.
type VerifySignatureResult struct {
	Valid bool `json:"valid"`
}
