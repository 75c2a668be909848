package flow

import "github.com/wasmlogin/wasmlogin/plugin/api"

// ClientCredentials signs a confidential client in as itself (RFC 6749 4.4).
func (e *Engine) ClientCredentials(in api.ClientCredentialsInput) (*api.TokenResult, *api.Error) {
	return nil, failf(api.CodeInternal, "ClientCredentials is not built yet") // SCAFFOLD: replaced by its implementation
}
