package flow

import (
	"encoding/base64"
	"net/url"

	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/mcpauth"
	"github.com/wasmlogin/wasmlogin/plugin/pkce"
)

// tokenClient is how a client authenticates at a token endpoint: one of
// the methods of RFC 7591 2 (token_endpoint_auth_method).
type tokenClient struct {
	id     string
	secret string
	// method is none, client_secret_basic, client_secret_post or
	// private_key_jwt.
	method string
	// signingAlg, profile and audience serve private_key_jwt: the host
	// signs with the profile's key; audience is the authorization server's
	// issuer (mcpauth.Assertion).
	signingAlg string
	profile    string
	audience   string
}

// recordClient is the client a stored sign-in authenticates as. Sign-ins
// made before the MCP profile keep the old rule: the secret, sent as
// discovery prefers (clientAuthMethod), or none without a secret.
func recordClient(profile string, p api.Provider, ep endpoints, secret string, m *mcpState) tokenClient {
	c := tokenClient{id: p.ClientID, secret: secret, profile: profile, audience: ep.Issuer}
	switch {
	case m != nil:
		c.method, c.signingAlg = m.AuthMethod, m.SigningAlg
	case secret != "":
		c.method = clientAuthMethod(ep.TokenAuthMethods)
	default:
		c.method = mcpauth.AuthNone
	}
	return c
}

// postToken sends an RFC 6749 form to a token endpoint with the client's
// authentication. Failures come back as flow errors, what naming the step.
func (e *Engine) postToken(what, endpoint string, form url.Values, c tokenClient) (*api.HTTPResponse, *api.Error) {
	resp, herr, ferr := e.sendForm(endpoint, form, c)
	if ferr != nil {
		return nil, ferr
	}
	if herr != nil {
		return nil, hostFailure(what, herr)
	}
	return resp, nil
}

// sendForm is postToken for callers that word the host's failure
// themselves: herr is the host function's error, ferr a failure to
// authenticate the client before anything was sent.
func (e *Engine) sendForm(endpoint string, form url.Values, c tokenClient) (resp *api.HTTPResponse, herr, ferr *api.Error) {
	h := map[string][]string{
		"Content-Type": {"application/x-www-form-urlencoded"},
		"Accept":       {"application/json"},
	}
	switch c.method {
	case mcpauth.AuthSecretBasic:
		// RFC 6749 2.3.1: both parts are form-encoded before Basic encoding.
		h["Authorization"] = []string{"Basic " + basicAuth(url.QueryEscape(c.id), url.QueryEscape(c.secret))}
	case mcpauth.AuthSecretPost:
		form.Set("client_id", c.id)
		form.Set("client_secret", c.secret)
	case mcpauth.AuthPrivateKeyJWT:
		assertion, err := e.clientAssertion(c)
		if err != nil {
			return nil, nil, err
		}
		form.Set("client_assertion_type", mcpauth.ClientAssertionType)
		form.Set("client_assertion", assertion)
	default:
		if c.id != "" {
			form.Set("client_id", c.id)
		}
	}
	resp, herr = e.host.HTTP(api.HTTPRequest{Method: "POST", URL: endpoint, Headers: h, Body: form.Encode()})
	return resp, herr, nil
}

// clientAssertion builds an RFC 7523 2.2 client assertion and has the host
// sign it with the key it holds for the profile: the plugin decides every
// claim, the key never enters it.
func (e *Engine) clientAssertion(c tokenClient) (string, *api.Error) {
	if c.audience == "" {
		return "", failf(api.CodeBadInput, "private_key_jwt needs the authorization server's issuer as the assertion's audience, and this one has none")
	}
	input := mcpauth.Assertion{Alg: c.signingAlg, ClientID: c.id, Audience: c.audience,
		ID: pkce.RandomToken(), IssuedAt: e.now().Unix()}.SigningInput()
	sig, herr := e.host.Sign(api.SignRequest{Alg: c.signingAlg, Profile: c.profile,
		Message: base64.RawURLEncoding.EncodeToString([]byte(input))})
	if herr != nil {
		code := api.CodeBadInput
		if herr.Code == api.HostTimeout || herr.Code == api.HostConnect {
			code = api.CodeTransient
		}
		return "", failf(code, "signing the client assertion (private_key_jwt) for profile %q: %s; give the client's private key (PEM) to the host, e.g. with --private-key-file",
			c.profile, clean(herr.Message))
	}
	if _, err := base64.RawURLEncoding.DecodeString(sig); err != nil || sig == "" {
		return "", failf(api.CodeInternal, "the host's signature is not base64url; the host's sign function is broken")
	}
	return input + "." + sig, nil
}
