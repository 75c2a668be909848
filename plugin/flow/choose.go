package flow

import "github.com/wasmlogin/wasmlogin/plugin/api"

// Flow names in LoginChoice and LoginChooseInput.Prefer.
const (
	flowBrowser = "browser"
	flowDevice  = "device"
)

// LoginChoose picks the browser or the device flow for this host and server.
// The user's explicit wish wins when the server can honour it. Otherwise the
// device flow is chosen where a loopback redirect is unlikely to work (an
// SSH session, no display, no browser) and the server offers it, because
// there the browser flow would strand the user on a page that cannot load.
func (e *Engine) LoginChoose(in api.LoginChooseInput) (*api.LoginChoice, *api.Error) {
	p := in.Provider
	if p == nil || p.ClientID == "" {
		return nil, failf(api.CodeBadInput, "login needs a client id (--client-id) and an issuer (--issuer)")
	}
	switch in.Prefer {
	case "", flowBrowser, flowDevice:
	default:
		return nil, failf(api.CodeBadInput, "unknown flow %q; use browser or device", clean(in.Prefer))
	}
	canBrowser, canDevice, err := e.flowsOffered(p)
	if err != nil {
		return nil, err
	}
	choice := func(flow, reason string) (*api.LoginChoice, *api.Error) {
		return &api.LoginChoice{Flow: flow, Reason: reason}, nil
	}
	switch {
	case in.Prefer == flowDevice && !canDevice:
		return nil, noDeviceFlow(p)
	case in.Prefer == flowDevice:
		return choice(flowDevice, "you asked for the device flow")
	case in.Prefer == flowBrowser && !canBrowser:
		return nil, failf(api.CodeBadInput, "the browser flow is not available: no authorization endpoint is configured; give it (--auth-url) or use the device flow")
	case in.Prefer == flowBrowser:
		return choice(flowBrowser, "you asked for the browser flow")
	case !canBrowser && canDevice:
		return choice(flowDevice, "the server is configured for the device flow only")
	case in.Remote && canDevice:
		return choice(flowDevice, "this looks like an SSH session or a machine without a display, and the server offers the device flow")
	case !in.BrowserUsable && canDevice:
		return choice(flowDevice, "no browser can be opened here, and the server offers the device flow")
	case in.Remote:
		return choice(flowBrowser, "this looks like an SSH session or a machine without a display, but the server offers no device flow")
	case !in.BrowserUsable:
		return choice(flowBrowser, "no browser can be opened here and the server offers no device flow; open the URL yourself")
	}
	return choice(flowBrowser, "a browser can be opened on this machine")
}

// flowsOffered says which flows the configuration allows: explicit
// endpoints alone (no discovery), or what discovery names. Discovery is
// cached, so the flow chosen next does not fetch it again.
func (e *Engine) flowsOffered(p *api.Provider) (browser, device bool, err *api.Error) {
	if p.AuthorizationEndpoint != "" || p.TokenEndpoint != "" {
		return p.AuthorizationEndpoint != "" && p.TokenEndpoint != "",
			p.DeviceAuthorizationEndpoint != "" && p.TokenEndpoint != "", nil
	}
	ep, err := e.discoverFor(p, false)
	if err != nil {
		return false, false, err
	}
	return ep.Authorization != "", ep.Device != "" || p.DeviceAuthorizationEndpoint != "", nil
}
