package flow

import "github.com/wasmlogin/wasmlogin/plugin/api"

// Userinfo asks the OIDC userinfo endpoint about a profile.
func (e *Engine) Userinfo(ref api.ProfileRef) (*api.UserinfoResult, *api.Error) {
	return nil, failf(api.CodeInternal, "Userinfo is not built yet") // SCAFFOLD: replaced by its implementation
}
