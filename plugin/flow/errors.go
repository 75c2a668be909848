package flow

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/tokenresp"
)

// failf makes a flow error with a message formatted as by fmt.Sprintf.
func failf(code, format string, args ...any) *api.Error {
	return &api.Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// hostFailure turns a host function's error into the plugin's view of it:
// network trouble is transient (nothing stored is touched), a refused host or
// an oversized answer is a problem with the server's configuration.
func hostFailure(what string, e *api.Error) *api.Error {
	switch e.Code {
	case api.HostTimeout, api.HostConnect:
		if strings.Contains(e.Message, "try again") { // the host already advised
			return failf(api.CodeTransient, "%s: %s", what, e.Message)
		}
		return failf(api.CodeTransient, "%s: %s; check your network and try again", what, e.Message)
	case api.HostDisallowedHost, api.HostCertificate:
		return failf(api.CodeInvalidResp, "%s: %s", what, e.Message)
	case api.HostTooLarge:
		return failf(api.CodeInvalidResp, "%s: the answer was larger than the host accepts", what)
	default:
		return failf(api.CodeInternal, "%s: %s", what, e.Message)
	}
}

// tokenFailure classifies an error from a token endpoint answer so the host
// can tell "try again later" from "sign in again" from "the server refused".
func tokenFailure(what string, err error) *api.Error {
	if se, ok := errors.AsType[*tokenresp.ServerError](err); ok {
		e := &api.Error{Code: api.CodeServer, ServerError: se.Code, ServerDescription: se.Description,
			Message: what + ": the server refused: " + se.Code}
		if se.Description != "" {
			e.Message += " (" + se.Description + ")"
		}
		if tokenresp.IsTransient(err) {
			e.Code = api.CodeTransient
			e.Message += "; try again later, your sign-in is kept"
		}
		return e
	}
	if tokenresp.IsTransient(err) {
		return failf(api.CodeTransient, "%s: %v; try again later, your sign-in is kept", what, err)
	}
	return failf(api.CodeInvalidResp, "%s: %v", what, err)
}

// clean keeps text from a server or a URL safe to show in a terminal: no
// control characters (escape sequences), bounded length.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return ' '
		}
		return r
	}, s)
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

// withRetryAfter tells the user how long a server asked to be left alone
// (RFC 9110 10.2.3, delay-seconds form) when a transient failure says so.
func withRetryAfter(f *api.Error, resp *api.HTTPResponse) *api.Error {
	if f.Code != api.CodeTransient || resp == nil {
		return f
	}
	if secs, err := strconv.Atoi(strings.TrimSpace(header(resp, "Retry-After"))); err == nil && secs > 0 && secs < 86400 {
		f.RetryAfterSeconds = secs
		f.Message += " (the server asks to wait " + strconv.Itoa(secs) + " s)"
	}
	return f
}
