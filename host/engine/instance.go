package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	extism "github.com/extism/go-sdk"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// Instance is one running copy of the plugin with the Services it may use.
// Pending logins live in its memory, so login_begin and login_complete must
// go to the same Instance. Calls are serialised: a Wasm instance runs one
// call at a time.
type Instance struct {
	mu       sync.Mutex
	plugin   *extism.Plugin
	services *Services
}

// Instance starts a new copy of the plugin.
func (r *Runtime) Instance(ctx context.Context, s *Services) (*Instance, error) {
	p, err := r.compiled.Instance(ctx, extism.PluginInstanceConfig{ModuleConfig: moduleConfig()})
	if err != nil {
		return nil, fmt.Errorf("starting the flow plugin: %w", err)
	}
	p.SetLogger(func(extism.LogLevel, string) {}) // the plugin speaks through notify
	inst := &Instance{plugin: p, services: s}
	if err := checkContract(ctx, inst); err != nil {
		inst.Close(ctx)
		return nil, err
	}
	return inst, nil
}

// Close ends the instance.
func (i *Instance) Close(ctx context.Context) error { return i.plugin.Close(ctx) }

// LoginBegin starts a browser sign-in (authorization code + PKCE).
func (i *Instance) LoginBegin(ctx context.Context, in api.LoginBeginInput) (*api.LoginBegun, error) {
	return call[api.LoginBegun](ctx, i, "login_begin", in)
}

// LoginComplete finishes it with the URL the browser came back to.
func (i *Instance) LoginComplete(ctx context.Context, in api.LoginCompleteInput) (*api.Session, error) {
	return call[api.Session](ctx, i, "login_complete", in)
}

// Token returns a valid access token, refreshing it when needed.
func (i *Instance) Token(ctx context.Context, in api.TokenInput) (*api.TokenResult, error) {
	return call[api.TokenResult](ctx, i, "token", in)
}

// Status describes a stored sign-in.
func (i *Instance) Status(ctx context.Context, in api.ProfileRef) (*api.Session, error) {
	return call[api.Session](ctx, i, "status", in)
}

// Logout forgets a stored sign-in.
func (i *Instance) Logout(ctx context.Context, in api.ProfileRef) (*api.LogoutResult, error) {
	return call[api.LogoutResult](ctx, i, "logout", in)
}

// LoginChoose asks the plugin which sign-in flow fits.
func (i *Instance) LoginChoose(ctx context.Context, in api.LoginChooseInput) (*api.LoginChoice, error) {
	return call[api.LoginChoice](ctx, i, "login_choose", in)
}

// DeviceBegin starts a device authorization grant.
func (i *Instance) DeviceBegin(ctx context.Context, in api.DeviceBeginInput) (*api.DeviceBegun, error) {
	return call[api.DeviceBegun](ctx, i, "device_begin", in)
}

// DevicePoll polls it once; the result says what to do next.
func (i *Instance) DevicePoll(ctx context.Context, in api.DevicePollInput) (*api.DevicePoll, error) {
	return call[api.DevicePoll](ctx, i, "device_poll", in)
}

// ClientCredentials signs a confidential client in as itself.
func (i *Instance) ClientCredentials(ctx context.Context, in api.ClientCredentialsInput) (*api.TokenResult, error) {
	return call[api.TokenResult](ctx, i, "client_credentials", in)
}

// TokenExchange trades a subject token for another (RFC 8693).
func (i *Instance) TokenExchange(ctx context.Context, in api.TokenExchangeInput) (*api.TokenExchangeResult, error) {
	return call[api.TokenExchangeResult](ctx, i, "token_exchange", in)
}

// Userinfo asks the provider's userinfo endpoint about a profile.
func (i *Instance) Userinfo(ctx context.Context, in api.ProfileRef) (*api.UserinfoResult, error) {
	return call[api.UserinfoResult](ctx, i, "userinfo", in)
}

// MCPAuthorize authorizes for an MCP server (the MCP authorization
// profile): a token, or a browser step to finish with LoginComplete.
func (i *Instance) MCPAuthorize(ctx context.Context, in api.MCPAuthorizeInput) (*api.MCPAuthorized, error) {
	return call[api.MCPAuthorized](ctx, i, "mcp_authorize", in)
}

// Call runs any export with a raw payload and returns its raw output, the
// way the typed methods above run theirs: same Services, one call at a
// time. It serves modules with other exports than the flow plugin's, such
// as the conformance kit's guest (host/conformance). An error is a trap,
// a timeout or a missing export, never a reply of the module.
func (i *Instance) Call(ctx context.Context, export string, payload []byte) ([]byte, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	ctx = context.WithValue(ctx, servicesKey{}, i.services)
	_, out, err := i.plugin.CallWithContext(ctx, export, payload)
	if err != nil {
		return nil, fmt.Errorf("the flow plugin failed in %s: %w", export, err)
	}
	return out, nil
}

// call runs one export. A flow failure comes back as *api.Error (with its
// code); anything else (a trap, a timeout) is an error of the runtime.
func call[O any](ctx context.Context, i *Instance, export string, in any) (*O, error) {
	payload, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	out, err := i.Call(ctx, export, payload)
	if err != nil {
		return nil, err
	}
	if observePayload != nil {
		observePayload(export, out)
	}
	var reply api.Reply[O]
	if err := json.Unmarshal(out, &reply); err != nil {
		return nil, fmt.Errorf("the flow plugin's %s reply is not valid JSON: %w", export, err)
	}
	if reply.Error != nil {
		return nil, reply.Error
	}
	if reply.OK == nil {
		return nil, fmt.Errorf("the flow plugin's %s reply is empty", export)
	}
	return reply.OK, nil
}
