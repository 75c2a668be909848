package flow

import "github.com/wasmlogin/wasmlogin/plugin/api"

// LoginChoose picks the browser or the device flow for this host and server.
func (e *Engine) LoginChoose(in api.LoginChooseInput) (*api.LoginChoice, *api.Error) {
	return nil, failf(api.CodeInternal, "LoginChoose is not built yet") // SCAFFOLD: replaced by its implementation
}
