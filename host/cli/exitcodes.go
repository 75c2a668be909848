package cli

import (
	"errors"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// Exit codes, documented in --help and the README; scripts rely on them.
const (
	ExitOK            = 0
	ExitFailure       = 1 // anything not listed below
	ExitUsage         = 2 // wrong flags or arguments
	ExitLoginRequired = 3 // nothing stored, or the refresh token is dead: run login
	ExitTransient     = 4 // network or server trouble: try again, nothing was lost
	ExitNoStorage     = 5 // no secret storage reachable (see --store)
	ExitRefused       = 6 // the server refused, or its answer failed validation
)

// exitCode maps a failure to the documented exit code through the flow
// error's code, so the meaning is the plugin's and not guessed from text.
func exitCode(err error) int {
	var fe *api.Error
	if !errors.As(err, &fe) {
		return ExitFailure
	}
	switch fe.Code {
	case api.CodeBadInput:
		return ExitUsage
	case api.CodeLoginRequired, api.CodeUnknownFlow:
		return ExitLoginRequired
	case api.CodeTransient:
		return ExitTransient
	case api.CodeStorage:
		return ExitNoStorage
	case api.CodeServer, api.CodeCallback, api.CodeIDToken, api.CodeInvalidResp:
		return ExitRefused
	}
	return ExitFailure
}
