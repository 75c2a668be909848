package flow

import (
	"errors"
	"strconv"
	"strings"

	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/internal/jsonv"
	"github.com/wasmlogin/wasmlogin/plugin/pkce"
	"github.com/wasmlogin/wasmlogin/plugin/tokenresp"
	"net/url"
)

// A wrong client ID or an unregistered redirect URI is the one mistake the
// browser flow cannot report by itself: RFC 6749 4.1.2.1 forbids the server
// to redirect back with an error then ("the authorization server SHOULD
// inform the resource owner of the error and MUST NOT automatically
// redirect"), so the user sees an error page and the login waits until it
// times out. The server is therefore shown the request before the browser
// is: pushed to it (RFC 9126) where it offers that, otherwise fetched once.

// authorizationRequest returns the URL the browser opens for pl, after the
// server has seen the request and not refused it.
func (e *Engine) authorizationRequest(pl *pendingLogin) (string, *api.Error) {
	if pl.endpoints.PushedAuthorization != "" {
		return e.pushAuthorizationRequest(pl)
	}
	authURL := withQuery(pl.endpoints.Authorization, authorizationParams(pl))
	if err := e.checkAuthorizationRequest(pl, authURL); err != nil {
		return "", err
	}
	return authURL, nil
}

// authorizationParams are the parameters of the authorization request
// (RFC 6749 4.1.1, RFC 7636 4.3, OIDC Core 3.1.2.1).
func authorizationParams(pl *pendingLogin) url.Values {
	q := url.Values{}
	for k, v := range pl.provider.ExtraAuthParams {
		q.Set(k, v)
	}
	q.Set("response_type", "code")
	q.Set("client_id", pl.provider.ClientID)
	q.Set("redirect_uri", pl.redirectURI)
	if len(pl.provider.Scopes) > 0 {
		q.Set("scope", strings.Join(pl.provider.Scopes, scopeSeparator(&pl.provider)))
	}
	q.Set("state", pl.state)
	q.Set("code_challenge", pkce.Challenge(pl.verifier))
	q.Set("code_challenge_method", "S256")
	if pl.resource != "" {
		q.Set("resource", pl.resource) // RFC 8707 2.1
	}
	if pl.nonce != "" {
		q.Set("nonce", pl.nonce)
	}
	return q
}

// withQuery appends q to an endpoint that may already carry a query.
func withQuery(endpoint string, q url.Values) string {
	sep := "?"
	if strings.Contains(endpoint, "?") {
		sep = "&"
	}
	return endpoint + sep + q.Encode()
}

// pushAuthorizationRequest sends the authorization request to the PAR
// endpoint (RFC 9126 2.1), authenticated as a token request is, and returns
// the URL that carries only client_id and the request_uri it got back
// (RFC 9126 4). Nothing of the request travels through the browser, and a
// refusal arrives here, at once, as an RFC 6749 5.2 error (RFC 9126 2.3).
func (e *Engine) pushAuthorizationRequest(pl *pendingLogin) (string, *api.Error) {
	const what = "pushing the authorization request (RFC 9126)"
	resp, ferr := e.postToken(what, pl.endpoints.PushedAuthorization, authorizationParams(pl), pl.client())
	if ferr != nil {
		return "", ferr
	}
	if err := tokenresp.ParseErrorBody(resp.Status, header(resp, "Content-Type"), []byte(resp.Body)); err != nil {
		return "", withRetryAfter(refusal(what, err, pl), resp)
	}
	requestURI, err := parsePushedRequest(resp.Body)
	if err != nil {
		return "", failf(api.CodeInvalidResp, "%s: %v", what, err)
	}
	return withQuery(pl.endpoints.Authorization, url.Values{"client_id": {pl.provider.ClientID}, "request_uri": {requestURI}}), nil
}

// parsePushedRequest reads a PAR success answer (RFC 9126 2.2): request_uri
// is required; expires_in is the server's business, the browser is sent
// at once.
func parsePushedRequest(body string) (string, error) {
	v, err := jsonv.Parse([]byte(strings.TrimSpace(body)))
	if err != nil || v.Kind() != jsonv.KindObject {
		return "", errors.New("the answer is not a JSON object")
	}
	ru, ok := v.Get("request_uri")
	if !ok || ru.Kind() != jsonv.KindString || ru.Text() == "" {
		return "", errors.New("the answer has no request_uri")
	}
	return ru.Text(), nil
}

// checkAuthorizationRequest fetches the authorization URL once, as the
// browser would, without following redirects (the host never does). A
// redirect or a page means the server accepted the client and redirect URI
// and will talk to the user; a 4xx is the refusal RFC 6749 4.1.2.1 keeps
// from being redirected, reported with the server's own words.
//
// Two 4xx answers are not refusals: 401 with WWW-Authenticate asks the
// user's browser to authenticate (Kerberos or Basic sign-on pages), and 429
// asks to come back later. A host that does not let the plugin reach the
// authorization endpoint's origin leaves the check to the browser.
func (e *Engine) checkAuthorizationRequest(pl *pendingLogin, authURL string) *api.Error {
	const what = "checking the authorization request with the server"
	resp, herr := e.get(authURL, "text/html, application/json;q=0.9")
	switch {
	case herr != nil && herr.Code == api.HostDisallowedHost:
		return nil
	case herr != nil:
		return hostFailure(what, herr)
	case resp.Status < 400:
		return nil
	case resp.Status == 401 && header(resp, "WWW-Authenticate") != "":
		return nil
	case resp.Status == 429 || resp.Status >= 500:
		return withRetryAfter(failf(api.CodeTransient, "%s: the authorization endpoint answered HTTP %d; try again later", what, resp.Status), resp)
	}
	return refusal(what, tokenresp.ParseErrorBody(resp.Status, header(resp, "Content-Type"), []byte(resp.Body)), pl)
}

// refusal reports the server's refusal of an authorization request, before
// any browser was opened: its error and description when it sent them
// (RFC 6749 5.2), else its status and a safe excerpt of what it said.
func refusal(what string, err error, pl *pendingLogin) *api.Error {
	if tokenresp.IsTransient(err) {
		return tokenFailure(what, err)
	}
	f := &api.Error{Code: api.CodeServer}
	if se, ok := errors.AsType[*tokenresp.ServerError](err); ok {
		f.ServerError, f.ServerDescription = se.Code, se.Description
		f.Message = "the server refused the sign-in before a browser was opened: " + se.Code
		if se.Description != "" {
			f.Message += " (" + se.Description + ")"
		}
	} else if he, ok := errors.AsType[*tokenresp.HTTPError](err); ok {
		f.Message = "the server refused the sign-in before a browser was opened: HTTP " + strconv.Itoa(he.Status) + " with " + he.Snippet
	} else {
		f.Message = what + ": " + err.Error()
	}
	f.Message += "; check the client ID " + strconv.Quote(clean(pl.provider.ClientID)) +
		" and that the server has it registered with the redirect URI " + redirectPattern(pl.redirectURI)
	return f
}

// redirectPattern shows the redirect URI the way it is registered: a
// loopback port is chosen per sign-in and any port is accepted (RFC 8252
// 7.3), unless the user fixed one.
func redirectPattern(redirectURI string) string {
	u, err := url.Parse(redirectURI)
	if err != nil {
		return redirectURI
	}
	return u.Scheme + "://" + u.Hostname() + u.Path + " (any port)"
}
