package flow

import (
	"crypto/subtle"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/pkce"
	"github.com/wasmlogin/wasmlogin/plugin/tokenresp"
)

// pendingLogin is what a started browser login remembers until its callback:
// the secrets of RFC 7636 and OIDC that prove the callback belongs to it.
type pendingLogin struct {
	profile     string
	provider    api.Provider
	endpoints   endpoints
	secret      string
	redirectURI string
	state       string
	verifier    string
	nonce       string
	started     time.Time
	// resource and mcp are set for a sign-in to an MCP server (mcp.go):
	// the resource goes into the authorization and token requests (RFC
	// 8707), mcp into the stored record.
	resource string
	mcp      *mcpState
}

// client is how the pending login's client authenticates.
func (pl *pendingLogin) client() tokenClient {
	return recordClient(pl.profile, pl.provider, pl.endpoints, pl.secret, pl.mcp)
}

// LoginBegin prepares an authorization-code flow with PKCE S256, a one-time
// state and (for OpenID Connect) a nonce, and returns the authorization URL.
func (e *Engine) LoginBegin(in api.LoginBeginInput) (*api.LoginBegun, *api.Error) {
	p := in.Provider
	if p == nil || p.ClientID == "" {
		return nil, failf(api.CodeBadInput, "login needs a client id (--client-id) and an issuer (--issuer)")
	}
	if err := checkRedirectURI(in.RedirectURI); err != nil {
		return nil, err
	}
	profile, perr := e.resolveProfile(in.ProfileRef)
	if perr != nil {
		return nil, perr
	}
	ep, derr := e.discover(p)
	if derr != nil {
		return nil, derr
	}
	secret, serr := e.clientSecret(profile, p)
	if serr != nil {
		return nil, serr
	}
	pl := &pendingLogin{profile: profile, provider: *p, endpoints: ep, secret: secret,
		redirectURI: in.RedirectURI, started: e.now()}
	pl.provider.ClientSecret = ""
	if len(pl.provider.Scopes) == 0 {
		pl.provider.Scopes = defaultScopes(ep)
	}
	p = &pl.provider
	pl.verifier, pl.state = pkce.NewVerifier(), pkce.RandomToken()
	if wantsOIDC(p) {
		pl.nonce = pkce.RandomToken()
	}
	// The server sees the request before the browser does, so a client or
	// redirect URI it refuses is reported now (authrequest.go).
	authURL, aerr := e.authorizationRequest(pl)
	if aerr != nil {
		return nil, aerr
	}
	return e.awaitBrowser(pl, authURL, "sign in", in.OpenBrowser), nil
}

// awaitBrowser keeps a started login for login_complete and sends the
// user to authURL: the URL is always shown (the browser may be on another
// machine), and opened when the host may.
func (e *Engine) awaitBrowser(pl *pendingLogin, authURL, purpose string, openBrowser bool) *api.LoginBegun {
	flowID := pkce.RandomToken()
	e.dropStale()
	e.pending[flowID] = pl
	begun := &api.LoginBegun{FlowID: flowID, Profile: pl.profile, AuthorizationURL: authURL}
	e.host.Notify("info", "Open this URL in your browser to "+purpose+":\n\n  "+authURL+"\n")
	if openBrowser {
		opened, _ := e.host.OpenBrowser(authURL)
		begun.BrowserOpened = opened
		if !opened {
			e.host.Notify("warn", "Could not open a browser; open the URL above yourself.")
		}
	}
	return begun
}

// LoginComplete validates the redirect the browser came back with, exchanges
// the code, validates the ID token and stores the result. A redirect that
// fails validation (callback_rejected) leaves the login pending, so a host
// may hand it every request its listener receives; one that passes, or a
// server's error answer with the right state and issuer, ends it.
func (e *Engine) LoginComplete(in api.LoginCompleteInput) (*api.Session, *api.Error) {
	pl, ok := e.pending[in.FlowID]
	if !ok {
		return nil, failf(api.CodeUnknownFlow, "this login was not started here, or was already completed; run login again")
	}
	code, cerr := validateCallback(pl, in.CallbackURL)
	if cerr != nil && cerr.Code == api.CodeCallback {
		// Not shown to belong to this login (any local process can send
		// the listener a request): the login stays pending, and the host
		// keeps waiting for the browser's own redirect.
		return nil, cerr
	}
	delete(e.pending, in.FlowID) // one accepted callback per flow, whatever happens next
	if cerr != nil {
		return nil, cerr
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {pl.redirectURI}, "code_verifier": {pl.verifier}}
	if pl.resource != "" {
		form.Set("resource", pl.resource)
	}
	resp, ferr := e.postToken("exchanging the authorization code", pl.endpoints.Token, form, pl.client())
	if ferr != nil {
		return nil, ferr
	}
	tok, err := tokenresp.Parse(resp.Status, header(resp, "Content-Type"), []byte(resp.Body), e.now())
	if err != nil {
		return nil, tokenFailure("exchanging the authorization code", err)
	}
	if pl.mcp != nil && pl.nonce == "" {
		// An MCP sign-in that did not ask for identity (no openid scope)
		// has no nonce to hold an ID token to; one sent anyway is not
		// used, rather than refused.
		tok.IDToken = ""
	}
	r := &record{Provider: pl.provider, Endpoints: pl.endpoints, ClientSecret: pl.secret, Resource: pl.resource, MCP: pl.mcp}
	if verr := e.acceptToken(r, tok, pl.nonce); verr != nil {
		return nil, verr
	}
	if serr := e.saveRecord(pl.profile, r); serr != nil {
		return nil, serr
	}
	// An MCP sign-in is found by its server, never as the default: a
	// command given no profile must not send an MCP server's token to an
	// API the user meant to reach with their usual sign-in.
	if pl.mcp == nil {
		if herr := e.host.SecretSet(defaultProfileKey, pl.profile); herr != nil {
			return nil, storageFailure(herr)
		}
	}
	return sessionOf(pl.profile, r), nil
}

// validateCallback checks the redirect in the order that defends best:
// state first (CSRF, RFC 9700 2.1), then the RFC 9207 issuer (mix-up), and
// only then does it believe an error or a code from the server.
func validateCallback(pl *pendingLogin, callbackURL string) (string, *api.Error) {
	u, err := url.Parse(callbackURL)
	if err != nil {
		return "", failf(api.CodeCallback, "the redirect URL could not be parsed; copy the whole URL from the browser's address bar")
	}
	q := u.Query()
	for _, name := range []string{"state", "code", "error"} {
		if len(q[name]) > 1 { // RFC 6749 3.1: never more than once; which one would we trust?
			return "", failf(api.CodeCallback, "the redirect carried %s more than once; nothing was accepted and the login still waits for its own redirect", name)
		}
	}
	state := q.Get("state")
	if state == "" || subtle.ConstantTimeCompare([]byte(state), []byte(pl.state)) != 1 {
		return "", failf(api.CodeCallback, "the redirect carried a wrong or missing state, so it may not come from the login you started; nothing was accepted and the login still waits for its own redirect")
	}
	iss, hasIss := q["iss"]
	if pl.endpoints.IssParameter && !hasIss {
		return "", failf(api.CodeCallback, "the server promises an iss parameter on redirects (RFC 9207) but this one has none; it was refused as a possible mix-up attack")
	}
	if hasIss && (len(iss) != 1 || !callbackIssuerOK(pl.endpoints.Issuer, iss[0])) {
		return "", failf(api.CodeCallback, "the redirect names issuer %q, not %q; it was refused as a possible mix-up attack (RFC 9207)", clean(q.Get("iss")), pl.endpoints.Issuer)
	}
	if e := q.Get("error"); e != "" {
		msg := "the server refused the sign-in: " + clean(e)
		if d := q.Get("error_description"); d != "" {
			msg += " (" + clean(d) + ")"
		}
		return "", &api.Error{Code: api.CodeServer, Message: msg, ServerError: clean(e), ServerDescription: clean(q.Get("error_description"))}
	}
	code := q.Get("code")
	if code == "" {
		return "", failf(api.CodeCallback, "the redirect carried neither a code nor an error")
	}
	return code, nil
}

func checkRedirectURI(raw string) *api.Error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return failf(api.CodeBadInput, "redirect URI %q must be an http loopback URL (RFC 8252 7.3)", raw)
	}
	return nil
}

func wantsOIDC(p *api.Provider) bool { return slices.Contains(p.Scopes, "openid") }

// clientSecret finds a confidential client's secret: given by the host (from
// an environment variable), already stored for this profile, or asked for.
func (e *Engine) clientSecret(profile string, p *api.Provider) (string, *api.Error) {
	if p.ClientSecret != "" {
		return p.ClientSecret, nil
	}
	if r, err := e.loadRecord(profile); err == nil && r.ClientSecret != "" && r.Provider.ClientID == p.ClientID {
		return r.ClientSecret, nil
	} else if err != nil && err.Code == api.CodeStorage {
		return "", err
	}
	if !p.PromptClientSecret {
		return "", nil
	}
	v, herr := e.host.Prompt("Client secret for "+p.ClientID+": ", true)
	if herr != nil {
		return "", failf(api.CodeBadInput, "the client secret could not be read (%s); set it in an environment variable and name it with --client-secret-env", herr.Message)
	}
	if v = strings.TrimSpace(v); v == "" {
		return "", failf(api.CodeBadInput, "no client secret entered")
	}
	return v, nil
}

// maxPending bounds the logins an instance remembers, so a host that keeps
// starting flows cannot grow the plugin's memory without end.
const maxPending = 32

func (e *Engine) dropStale() {
	var oldestID string
	var oldest time.Time
	for id, pl := range e.pending {
		if e.now().Sub(pl.started) > pendingLifetime {
			delete(e.pending, id)
		} else if oldestID == "" || pl.started.Before(oldest) {
			oldestID, oldest = id, pl.started
		}
	}
	if len(e.pending) >= maxPending {
		delete(e.pending, oldestID)
	}
}

// defaultScopes asks an OpenID provider for identity and, when it offers
// one, a refresh token, so that `token` works without a new login.
func defaultScopes(ep endpoints) []string {
	if !ep.OIDC {
		return nil
	}
	scopes := []string{"openid"}
	if slices.Contains(ep.ScopesSupported, "offline_access") {
		scopes = append(scopes, "offline_access")
	}
	return scopes
}
