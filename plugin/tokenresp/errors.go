package tokenresp

import (
	"errors"
	"strconv"
)

// ServerError is an OAuth error response (RFC 6749 5.2). Code is the
// server's own machine-readable word, such as invalid_grant; Description
// and URI are sanitized because they are shown to the user.
type ServerError struct {
	Status      int
	Code        string
	Description string
	URI         string
}

func (e *ServerError) Error() string {
	if e.Description == "" {
		return "server refused: " + e.Code
	}
	return "server refused: " + e.Code + ": " + e.Description
}

// HTTPError is a non-2xx answer without an OAuth error code, typically from
// a proxy or load balancer rather than the authorization server itself.
type HTTPError struct {
	Status int
	// Snippet describes the body in at most 120 printable characters, such
	// as "an HTML page" or a quoted excerpt of a short text answer.
	Snippet string
}

func (e *HTTPError) Error() string {
	if e.Status >= 300 && e.Status < 400 {
		// The host never follows redirects: one could lead off the allowlist.
		return "the server answered with a redirect (HTTP " + strconv.Itoa(e.Status) + "), which is not followed; check the endpoint URL"
	}
	return "the server answered HTTP " + strconv.Itoa(e.Status) + " with " + e.Snippet
}

// InvalidError is a 2xx answer that is not a usable token response. Reason
// never quotes the body, which may hold tokens.
type InvalidError struct {
	Reason string
}

func (e *InvalidError) Error() string { return "invalid token response: " + e.Reason }

// IsTransient reports whether retrying the same request later may succeed:
// the server was overloaded, rate limiting, or failing internally.
func IsTransient(err error) bool {
	if he, ok := errors.AsType[*HTTPError](err); ok {
		return is5xx(he.Status) || he.Status == 429
	}
	if se, ok := errors.AsType[*ServerError](err); ok {
		return se.Code == "temporarily_unavailable" || is5xx(se.Status)
	}
	return false
}

// ParseErrorBody is for endpoints whose success body is not a token
// response (revocation, device authorization, introspection): it returns
// the *ServerError or *HTTPError the answer represents, or nil when it is a
// success. Like Parse, it treats an "error" code as failure even with 2xx.
func ParseErrorBody(status int, contentType string, body []byte) error {
	f, _ := decode(contentType, body)
	if se := serverError(status, f); se != nil {
		return se
	}
	if !is2xx(status) {
		return newHTTPError(status, contentType, body)
	}
	return nil
}

func serverError(status int, f fields) *ServerError {
	code, _ := f["error"].(string)
	if code == "" {
		return nil
	}
	desc, _ := f["error_description"].(string)
	uri, _ := f["error_uri"].(string)
	return &ServerError{
		Status:      status,
		Code:        sanitize(code, maxCodeLen),
		Description: sanitize(desc, maxDescriptionLen),
		URI:         sanitize(uri, maxDescriptionLen),
	}
}

func newHTTPError(status int, contentType string, body []byte) *HTTPError {
	return &HTTPError{Status: status, Snippet: describeBody(contentType, body)}
}

func is5xx(status int) bool { return status >= 500 && status <= 599 }
