package flow

import "github.com/wasmlogin/wasmlogin/plugin/api"

// TokenExchange trades a subject token for another (RFC 8693).
func (e *Engine) TokenExchange(in api.TokenExchangeInput) (*api.TokenExchangeResult, *api.Error) {
	return nil, failf(api.CodeInternal, "TokenExchange is not built yet") // SCAFFOLD: replaced by its implementation
}
