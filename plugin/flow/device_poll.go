package flow

import "github.com/wasmlogin/wasmlogin/plugin/api"

// DevicePoll polls a device flow once and decides what the host does next.
func (e *Engine) DevicePoll(in api.DevicePollInput) (*api.DevicePoll, *api.Error) {
	return nil, failf(api.CodeInternal, "DevicePoll is not built yet") // SCAFFOLD: replaced by its implementation
}
