package flow

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/tokenresp"
)

// Device poll statuses: the host waits and polls again after the first two,
// and stops after the others.
const (
	devicePending  = "pending"
	deviceSlowDown = "slow_down"
	deviceSignedIn = "signed_in"
	deviceDenied   = "denied"
	deviceExpired  = "expired"
)

const grantDeviceCode = "urn:ietf:params:oauth:grant-type:device_code"

const expiredMessage = "the code expired before the sign-in was approved; run login again"

// DevicePoll polls a device flow once (RFC 8628 3.4, 3.5) and decides what
// the host does next. The host must wait the interval (DeviceBegun) before
// the first poll and WaitSeconds before each next one: Dex, for one,
// answers an early poll with slow_down and restarts its clock, so a client
// that polls early keeps being told to slow down. The plugin does not rely
// on the host for this: a poll that comes early is answered here, with
// nothing sent to the server, and says how long is left to wait.
func (e *Engine) DevicePoll(in api.DevicePollInput) (*api.DevicePoll, *api.Error) {
	pd, ok := e.devices[in.FlowID]
	if !ok {
		return nil, failf(api.CodeUnknownFlow, "this device sign-in was not started here, or has already ended; run login again")
	}
	now := e.now()
	if !now.Before(pd.expires) {
		delete(e.devices, in.FlowID)
		return &api.DevicePoll{Status: deviceExpired, Message: expiredMessage}, nil
	}
	if now.Before(pd.notBefore) {
		return e.tooEarly(pd, now), nil
	}
	form := url.Values{"grant_type": {grantDeviceCode}, "device_code": {pd.deviceCode}}
	resp, herr := e.postForm(pd.endpoints.Token, form, pd.provider.ClientID, pd.secret, clientAuthMethod(pd.endpoints.TokenAuthMethods))
	pd.notBefore = e.now().Add(pd.interval) // whatever the answer, the next poll waits an interval
	if herr != nil {
		return nil, e.endUnlessTransient(in.FlowID, hostFailure("polling for the device sign-in", herr))
	}
	tok, err := tokenresp.Parse(resp.Status, header(resp, "Content-Type"), []byte(resp.Body), e.now())
	if err != nil {
		return e.pollRefused(in.FlowID, pd, err)
	}
	delete(e.devices, in.FlowID) // whatever happens now, this flow is over
	r := &record{Provider: pd.provider, Endpoints: pd.endpoints, ClientSecret: pd.secret}
	if tok.IDToken == "" && wantsOIDC(&pd.provider) && pd.endpoints.OIDC {
		return nil, failf(api.CodeIDToken, "the server did not send an ID token although scope openid was requested")
	}
	// No nonce: the device flow has no authorization request to carry one.
	if verr := e.acceptToken(r, tok, ""); verr != nil {
		return nil, verr
	}
	if serr := e.saveRecord(pd.profile, r); serr != nil {
		return nil, serr
	}
	if herr := e.host.SecretSet(defaultProfileKey, pd.profile); herr != nil {
		return nil, storageFailure(herr)
	}
	return &api.DevicePoll{Status: deviceSignedIn, Session: sessionOf(pd.profile, r)}, nil
}

// pollRefused turns the server's "not yet" answers into waiting decisions
// and everything else into the end of the flow.
func (e *Engine) pollRefused(flowID string, pd *pendingDevice, err error) (*api.DevicePoll, *api.Error) {
	if se, ok := errors.AsType[*tokenresp.ServerError](err); ok {
		switch se.Code {
		case "authorization_pending":
			return e.waitAgain(pd, devicePending, ""), nil
		case "slow_down":
			pd.interval += slowDownStep // for this and every later poll
			pd.notBefore = e.now().Add(pd.interval)
			return e.waitAgain(pd, deviceSlowDown,
				"the server asked to poll more slowly; polling every "+strconv.Itoa(secondsUp(pd.interval))+" s now"), nil
		case "access_denied":
			delete(e.devices, flowID)
			msg := "the sign-in was denied on the verification page; nothing was stored (run login again to retry)"
			if se.Description != "" {
				msg += ": " + se.Description
			}
			return &api.DevicePoll{Status: deviceDenied, Message: msg}, nil
		case "expired_token":
			delete(e.devices, flowID)
			return &api.DevicePoll{Status: deviceExpired, Message: expiredMessage}, nil
		}
	}
	return nil, e.endUnlessTransient(flowID, tokenFailure("polling for the device sign-in", err))
}

func (e *Engine) waitAgain(pd *pendingDevice, status, msg string) *api.DevicePoll {
	left := pd.expires.Sub(e.now())
	if left < time.Second {
		left = time.Second
	}
	return &api.DevicePoll{Status: status, WaitSeconds: secondsUp(pd.interval),
		ExpiresIn: secondsUp(left), Message: msg}
}

// tooEarly answers a poll that came before the interval was up without
// asking the server, which may count an early poll against the client
// (RFC 8628 3.5), and tells the host how much of the wait is left.
func (e *Engine) tooEarly(pd *pendingDevice, now time.Time) *api.DevicePoll {
	wait := secondsUp(pd.notBefore.Sub(now))
	return &api.DevicePoll{Status: devicePending, WaitSeconds: wait, ExpiresIn: secondsUp(pd.expires.Sub(now)),
		Message: "polled before the interval was up, so nothing was sent to the server; wait " +
			strconv.Itoa(wait) + " s before polling again"}
}

// endUnlessTransient keeps the flow when the host may poll again (network
// trouble, a 5xx), and forgets it for any other failure.
func (e *Engine) endUnlessTransient(flowID string, f *api.Error) *api.Error {
	if f.Code != api.CodeTransient {
		delete(e.devices, flowID)
		return f
	}
	// Nothing is stored yet in this flow, so nothing is "kept".
	f.Message = strings.Replace(f.Message, ", your sign-in is kept", "", 1)
	return f
}
