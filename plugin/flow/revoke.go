package flow

import (
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/discovery"
	"github.com/wasmlogin/wasmlogin/plugin/tokenresp"
)

// NoRevocationEndpoint is LogoutResult.RevocationNote when the server
// offers no way to revoke: hosts may show it as it is.
const NoRevocationEndpoint = "the server has no revocation endpoint"

// withRevocationEndpoint lets an explicitly configured revocation endpoint
// replace (or stand in for) the one discovery named: the user said where.
func withRevocationEndpoint(p *api.Provider, ep endpoints) (endpoints, *api.Error) {
	if p.RevocationEndpoint == "" {
		return ep, nil
	}
	if err := discovery.CheckEndpointURL("revocation endpoint", p.RevocationEndpoint); err != nil {
		return endpoints{}, failf(api.CodeBadInput, "%v", err)
	}
	ep.Revocation = p.RevocationEndpoint
	return ep, nil
}

// revokeStored asks the server to revoke a stored sign-in's tokens (RFC
// 7009) before logout deletes them: the refresh token first, since revoking
// it ends the grant (and, at most servers, its access tokens), then the
// access token. It reports which kinds the server revoked and, in a note
// without any token in it, what was not revoked and why. It never fails:
// logout deletes the local state whatever the server says.
func (e *Engine) revokeStored(profile, raw string) (revoked []string, note string) {
	r, err := decodeRecord([]byte(raw))
	if err != nil {
		return nil, "the stored sign-in was unreadable, so nothing was revoked at the server"
	}
	type kind struct{ hint, value, name string }
	var kinds []kind
	for _, k := range []kind{{"refresh_token", r.Token.RefreshToken, "refresh token"}, {"access_token", r.Token.AccessToken, "access token"}} {
		if k.value != "" {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) == 0 {
		return nil, ""
	}
	if r.Endpoints.Revocation == "" {
		return nil, NoRevocationEndpoint
	}
	var failed, reasons []string
	for i, k := range kinds {
		reason, unreachable := e.revokeOne(profile, r, k.value, k.hint)
		if reason == "" {
			revoked = append(revoked, k.hint)
			continue
		}
		failed = append(failed, k.name)
		if !slices.Contains(reasons, reason) { // the same refusal twice is said once
			reasons = append(reasons, reason)
		}
		if unreachable { // the next request would only wait for the same failure
			for _, rest := range kinds[i+1:] {
				failed = append(failed, rest.name)
			}
			break
		}
	}
	if len(failed) == 0 {
		return revoked, ""
	}
	note = "revocation failed (" + strings.Join(reasons, "; ") + ")"
	if len(revoked) > 0 {
		note = "revocation of the " + strings.Join(failed, " and ") + " failed (" + strings.Join(reasons, "; ") + ")"
	}
	for _, k := range kinds { // should a server have echoed a token in its error description
		note = strings.ReplaceAll(note, k.value, "[token]")
	}
	return revoked, note
}

// revokeOne posts one token to the revocation endpoint with the client's
// authentication as at the token endpoint. A 200 is success, also for a
// token the server no longer knows (RFC 7009 2.2). reason says why not.
func (e *Engine) revokeOne(profile string, r *record, token, hint string) (reason string, unreachable bool) {
	form := url.Values{"token": {token}, "token_type_hint": {hint}}
	resp, herr, ferr := e.sendForm(r.Endpoints.Revocation, form, r.client(profile))
	switch {
	case ferr != nil:
		return clean(ferr.Message), false
	case herr != nil:
		return "the revocation endpoint could not be reached: " + clean(herr.Message), herr.Code == api.HostTimeout || herr.Code == api.HostConnect
	}
	if resp.Status == 200 {
		return "", false
	}
	err := tokenresp.ParseErrorBody(resp.Status, header(resp, "Content-Type"), []byte(resp.Body))
	switch se, ok := errors.AsType[*tokenresp.ServerError](err); {
	case ok:
		reason = "the server refused: " + se.Code
		if se.Description != "" {
			reason += " (" + se.Description + ")"
		}
		return reason, false
	case err != nil:
		return err.Error(), false
	}
	// Another 2xx is not what RFC 7009 promises, so it is not taken as success.
	return "the server answered HTTP " + strconv.Itoa(resp.Status) + " instead of 200", false
}
