package flow

import (
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/discovery"
	"github.com/wasmlogin/wasmlogin/plugin/internal/jsonv"
	"github.com/wasmlogin/wasmlogin/plugin/pkce"
	"github.com/wasmlogin/wasmlogin/plugin/tokenresp"
)

// Device flow timing (RFC 8628).
const (
	// defaultDeviceInterval is the polling interval when the server names
	// none (RFC 8628 3.2: "If no value is provided, clients MUST use 5").
	defaultDeviceInterval = 5 * time.Second
	// slowDownStep is what slow_down adds to the interval, for that poll
	// and every later one (RFC 8628 3.5).
	slowDownStep = 5 * time.Second
	// defaultDeviceLifetime bounds a flow whose server sent no expires_in
	// (which RFC 8628 requires); the server's expired_token ends it anyway.
	defaultDeviceLifetime = pendingLifetime
)

// pendingDevice is a started device sign-in. The device code is the
// credential that turns into tokens, so it never leaves the plugin.
type pendingDevice struct {
	profile    string
	provider   api.Provider
	endpoints  endpoints
	secret     string
	deviceCode string
	interval   time.Duration
	expires    time.Time
	// notBefore is when the next poll may reach the server: an interval
	// after the plugin last told the host to wait (see DevicePoll).
	notBefore time.Time
}

// deviceAuthorization is the device authorization response (RFC 8628 3.2).
type deviceAuthorization struct {
	deviceCode, userCode            string
	verificationURI, verifyComplete string
	expiresIn, interval             time.Duration
}

// DeviceBegin starts an RFC 8628 device authorization grant: it asks the
// server for a user code, tells the user where to enter it and keeps the
// device code for DevicePoll.
func (e *Engine) DeviceBegin(in api.DeviceBeginInput) (*api.DeviceBegun, *api.Error) {
	p := in.Provider
	if p == nil || p.ClientID == "" {
		return nil, failf(api.CodeBadInput, "the device flow needs a client id (--client-id) and an issuer (--issuer)")
	}
	profile, perr := e.resolveProfile(in.ProfileRef)
	if perr != nil {
		return nil, perr
	}
	ep, derr := e.deviceEndpoints(p)
	if derr != nil {
		return nil, derr
	}
	secret, serr := e.clientSecret(profile, p)
	if serr != nil {
		return nil, serr
	}
	pd := &pendingDevice{profile: profile, provider: *p, endpoints: ep, secret: secret}
	pd.provider.ClientSecret = ""
	if len(pd.provider.Scopes) == 0 {
		pd.provider.Scopes = defaultScopes(ep)
	}
	form := url.Values{}
	if len(pd.provider.Scopes) > 0 {
		form.Set("scope", strings.Join(pd.provider.Scopes, scopeSeparator(&pd.provider)))
	}
	// The secret goes in the body: RFC 8628 3.1 allows either method, and
	// Dex reads a confidential client's secret only from the form there.
	resp, herr := e.postForm(ep.Device, form, p.ClientID, secret, "client_secret_post")
	if herr != nil {
		return nil, hostFailure("starting the device sign-in", herr)
	}
	da, aerr := parseDeviceAuthorization(resp)
	if aerr != nil {
		return nil, aerr
	}
	flowID := pkce.RandomToken()
	now := e.now()
	pd.deviceCode, pd.interval, pd.expires = da.deviceCode, da.interval, now.Add(da.expiresIn)
	pd.notBefore = now.Add(da.interval)
	e.dropEndedDevices()
	e.devices[flowID] = pd

	begun := &api.DeviceBegun{FlowID: flowID, Profile: profile, UserCode: da.userCode,
		VerificationURI: da.verificationURI, VerificationURIComplete: da.verifyComplete,
		ExpiresIn: secondsUp(da.expiresIn), Interval: secondsUp(da.interval)}
	// One line "Code: ..." that people read and programs can parse.
	e.host.Notify("info", "To sign in, open "+da.verificationURI+" and enter this code:\n\n  Code: "+da.userCode+"\n")
	if in.OpenBrowser {
		target := da.verifyComplete
		if target == "" {
			target = da.verificationURI
		}
		opened, _ := e.host.OpenBrowser(target)
		begun.BrowserOpened = opened
		if opened {
			// RFC 8628 5.4: the user should check the code, so that a code
			// someone else started cannot be slipped in.
			e.host.Notify("info", "A browser was opened; check that it shows the same code before you approve.")
		} else {
			e.host.Notify("warn", "Could not open a browser; open the URL above yourself, on any device.")
		}
	}
	return begun, nil
}

// deviceEndpoints finds the device and token endpoints: a token URL with a
// device URL and no authorization URL is a device-only configuration (no
// discovery), otherwise as for other flows, without demanding PKCE, which
// the device flow does not use. An explicit device endpoint wins.
func (e *Engine) deviceEndpoints(p *api.Provider) (endpoints, *api.Error) {
	var ep endpoints
	if p.AuthorizationEndpoint == "" && p.TokenEndpoint != "" {
		if err := discovery.CheckEndpointURL("token endpoint", p.TokenEndpoint); err != nil {
			return endpoints{}, failf(api.CodeBadInput, "%v", err)
		}
		if p.JWKSURI != "" {
			if err := discovery.CheckEndpointURL("jwks uri", p.JWKSURI); err != nil {
				return endpoints{}, failf(api.CodeBadInput, "%v", err)
			}
		}
		ep = endpoints{Issuer: p.Issuer, Token: p.TokenEndpoint, JWKS: p.JWKSURI, OIDC: p.JWKSURI != "" && p.Issuer != ""}
		var err *api.Error
		if ep, err = withProviderOptions(p, ep); err != nil {
			return endpoints{}, err
		}
		if ep, err = withRevocationEndpoint(p, ep); err != nil {
			return endpoints{}, err
		}
	} else {
		var err *api.Error
		if ep, err = e.discoverFor(p, false); err != nil {
			return endpoints{}, err
		}
	}
	if p.DeviceAuthorizationEndpoint != "" {
		if err := discovery.CheckEndpointURL("device authorization endpoint", p.DeviceAuthorizationEndpoint); err != nil {
			return endpoints{}, failf(api.CodeBadInput, "%v", err)
		}
		ep.Device = p.DeviceAuthorizationEndpoint
	}
	if ep.Device == "" {
		return endpoints{}, noDeviceFlow(p)
	}
	return ep, nil
}

func noDeviceFlow(p *api.Provider) *api.Error {
	where := "the configured endpoints include no device authorization endpoint"
	if p.AuthorizationEndpoint == "" && p.TokenEndpoint == "" {
		where = clean(p.Issuer) + " does not offer it (its discovery document names no device_authorization_endpoint)"
	}
	return failf(api.CodeBadInput, "the device flow is not available: %s; sign in with the browser flow instead, or give the device endpoint (--device-url) if the server has one", where)
}

// parseDeviceAuthorization reads the answer of the device authorization
// endpoint: JSON (RFC 8628 3.2), or form-encoded from servers that answer
// so despite Accept: application/json.
func parseDeviceAuthorization(resp *api.HTTPResponse) (*deviceAuthorization, *api.Error) {
	const what = "starting the device sign-in"
	ct := header(resp, "Content-Type")
	if err := tokenresp.ParseErrorBody(resp.Status, ct, []byte(resp.Body)); err != nil {
		f := tokenFailure(what, err)
		if f.ServerError == "unauthorized_client" || f.ServerError == "invalid_client" {
			f.Message += "; this client may not be allowed to use the device flow, sign in with the browser flow instead"
		}
		return nil, f
	}
	get, err := deviceFields(ct, resp.Body)
	if err != nil {
		return nil, failf(api.CodeInvalidResp, "%s: the server's answer is not a device authorization response (%v)", what, err)
	}
	da := &deviceAuthorization{deviceCode: get("device_code"), userCode: get("user_code"),
		verificationURI: get("verification_uri"), verifyComplete: get("verification_uri_complete")}
	if da.verificationURI == "" {
		da.verificationURI = get("verification_url") // Google's spelling
	}
	switch {
	case da.deviceCode == "":
		return nil, failf(api.CodeInvalidResp, "%s: the server sent no device_code", what)
	case da.userCode == "":
		return nil, failf(api.CodeInvalidResp, "%s: the server sent no user_code", what)
	case da.verificationURI == "":
		return nil, failf(api.CodeInvalidResp, "%s: the server sent no verification_uri", what)
	}
	// The user is sent to these pages, so they must be real web pages.
	if err := discovery.CheckEndpointURL("verification_uri", da.verificationURI); err != nil {
		return nil, failf(api.CodeInvalidResp, "%s: %v", what, err)
	}
	if da.verifyComplete != "" && discovery.CheckEndpointURL("verification_uri_complete", da.verifyComplete) != nil {
		da.verifyComplete = "" // optional: the plain URI and the code still work
	}
	da.userCode = clean(da.userCode)
	var derr error
	if da.expiresIn, derr = seconds(get("expires_in"), defaultDeviceLifetime); derr != nil {
		return nil, failf(api.CodeInvalidResp, "%s: expires_in %v", what, derr)
	}
	if da.interval, derr = seconds(get("interval"), defaultDeviceInterval); derr != nil {
		return nil, failf(api.CodeInvalidResp, "%s: interval %v", what, derr)
	}
	return da, nil
}

// deviceFields decodes the body into a lookup of its members as text;
// numbers keep their literal.
func deviceFields(contentType, body string) (func(string) string, error) {
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(contentType)), "application/x-www-form-urlencoded") {
		q, err := url.ParseQuery(strings.TrimSpace(body))
		if err != nil {
			return nil, err
		}
		return q.Get, nil
	}
	v, err := jsonv.Parse([]byte(strings.TrimSpace(body)))
	if err != nil {
		return nil, err
	}
	if v.Kind() != jsonv.KindObject {
		return nil, errNotObject
	}
	return func(name string) string {
		m, ok := v.Get(name)
		if !ok || (m.Kind() != jsonv.KindString && m.Kind() != jsonv.KindNumber) {
			return ""
		}
		return m.Text()
	}, nil
}

type deviceError string

func (e deviceError) Error() string { return string(e) }

const (
	errNotObject   = deviceError("not a JSON object")
	errBadDuration = deviceError("is not a positive number of seconds")
)

// seconds reads a lifetime or interval: a JSON number or a numeric string
// (Microsoft sends strings). Absent (or 0, which no server means
// literally) is def; a fraction is rounded up, never polling early.
func seconds(text string, def time.Duration) (time.Duration, error) {
	if text == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > 86400 {
		return 0, errBadDuration
	}
	if f == 0 {
		return def, nil
	}
	return time.Duration(math.Ceil(f)) * time.Second, nil
}

// secondsUp converts for the host, rounding up so that a host that waits
// this long never comes back early.
func secondsUp(d time.Duration) int {
	return int((d + time.Second - 1) / time.Second)
}

// dropEndedDevices forgets flows whose code expired a while ago, for hosts
// that stopped polling (the user gave up). A host polling just after the
// expiry still hears "expired" rather than "unknown flow".
func (e *Engine) dropEndedDevices() {
	for id, pd := range e.devices {
		if e.now().After(pd.expires.Add(time.Minute)) {
			delete(e.devices, id)
		}
	}
}
