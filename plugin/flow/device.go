package flow

import "github.com/wasmlogin/wasmlogin/plugin/api"

// DeviceBegin starts an RFC 8628 device authorization grant.
func (e *Engine) DeviceBegin(in api.DeviceBeginInput) (*api.DeviceBegun, *api.Error) {
	return nil, failf(api.CodeInternal, "DeviceBegin is not built yet") // SCAFFOLD: replaced by its implementation
}
