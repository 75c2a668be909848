package flow

import (
	"net/url"
	"strings"

	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/internal/jsonv"
	"github.com/wasmlogin/wasmlogin/plugin/tokenresp"
)

const (
	grantTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"
	tokenTypePrefix    = "urn:ietf:params:oauth:token-type:"
	typeAccessToken    = tokenTypePrefix + "access_token"
	typeRefreshToken   = tokenTypePrefix + "refresh_token"
	typeIDToken        = tokenTypePrefix + "id_token"
)

// TokenExchange trades a subject token for another (RFC 8693), with the
// client of in.ProfileRef authenticating. The issued token is returned,
// never stored: it belongs to whoever asked for it.
func (e *Engine) TokenExchange(in api.TokenExchangeInput) (*api.TokenExchangeResult, *api.Error) {
	subjectType, terr := tokenType("subject token type", in.SubjectTokenType, typeAccessToken)
	if terr != nil {
		return nil, terr
	}
	requested, terr := tokenType("requested token type", in.RequestedTokenType, "")
	if terr != nil {
		return nil, terr
	}
	for _, res := range in.Resource {
		// RFC 8693 2.1: an absolute URI without a fragment.
		if u, err := url.Parse(res); err != nil || !u.IsAbs() || u.Fragment != "" || strings.Contains(res, "#") {
			return nil, failf(api.CodeBadInput, "resource %q must be an absolute URI without a fragment (RFC 8693 2.1)", clean(res))
		}
	}
	if err := checkScopes(in.Scopes); err != nil {
		return nil, err
	}
	profile, perr := e.resolveProfile(in.ProfileRef)
	if perr != nil {
		return nil, perr
	}
	client, lerr := e.loadRecord(profile)
	if lerr != nil {
		return nil, lerr
	}
	if client.ClientSecret == "" {
		return nil, failf(api.CodeBadInput, "token exchange needs a confidential client, and profile %q has no client secret; log that client in with --client-secret-env", profile)
	}
	subject, serr := e.subjectToken(in, subjectType)
	if serr != nil {
		return nil, serr
	}
	form := url.Values{"grant_type": {grantTokenExchange}, "subject_token": {subject}, "subject_token_type": {subjectType}}
	if requested != "" {
		form.Set("requested_token_type", requested)
	}
	if len(in.Scopes) > 0 {
		form.Set("scope", strings.Join(in.Scopes, " "))
	}
	form["audience"] = in.Audience // repeatable (RFC 8693 2.1)
	form["resource"] = in.Resource
	resp, herr := e.postForm(client.Endpoints.Token, form, client.Provider.ClientID, client.ClientSecret, clientAuthMethod(client.Endpoints.TokenAuthMethods))
	if herr != nil {
		return nil, hostFailure("exchanging the token", herr)
	}
	tok, err := tokenresp.Parse(resp.Status, header(resp, "Content-Type"), []byte(resp.Body), e.now())
	if err != nil {
		return nil, tokenFailure("exchanging the token", err)
	}
	if tok.IssuedTokenType == "" {
		return nil, failf(api.CodeInvalidResp, "exchanging the token: the server's answer has no issued_token_type, which RFC 8693 2.2.1 requires, so what kind of token it issued is unknown; it was not used")
	}
	out := &api.TokenExchangeResult{AccessToken: tok.AccessToken, IssuedTokenType: tok.IssuedTokenType,
		TokenType: tok.TokenType, Scope: tok.Scope}
	if !tok.ExpiresAt.IsZero() {
		out.ExpiresAt = tok.ExpiresAt.Unix()
	}
	return out, nil
}

// tokenType accepts an RFC 8693 token type URI, or its last part alone
// (access_token, refresh_token, id_token, jwt, saml1, saml2) as a shorthand.
func tokenType(what, v, def string) (string, *api.Error) {
	switch {
	case v == "":
		return def, nil
	case strings.Contains(v, ":"):
		return v, nil
	}
	switch v {
	case "access_token", "refresh_token", "id_token", "saml1", "saml2", "jwt":
		return tokenTypePrefix + v, nil
	}
	return "", failf(api.CodeBadInput, "%s %q is neither a URI nor one of access_token, refresh_token, id_token, jwt, saml1, saml2", what, clean(v))
}

// subjectToken is the token given, or the one another profile holds. Of a
// profile, the access token is its current valid one (refreshed when
// needed, as `token` would), the refresh token and ID token as stored; an
// ID token that has expired is renewed first by a refresh.
func (e *Engine) subjectToken(in api.TokenExchangeInput, subjectType string) (string, *api.Error) {
	switch {
	case in.SubjectToken != "" && in.SubjectProfile != "":
		return "", failf(api.CodeBadInput, "give either a subject token or a subject profile, not both")
	case in.SubjectToken != "":
		return in.SubjectToken, nil
	case in.SubjectProfile == "":
		return "", failf(api.CodeBadInput, "token exchange needs a subject: a token (on stdin) or a profile that holds one")
	}
	ref := api.TokenInput{ProfileRef: api.ProfileRef{Profile: in.SubjectProfile}}
	switch subjectType {
	case typeAccessToken:
		t, err := e.Token(ref)
		if err != nil {
			return "", err
		}
		return t.AccessToken, nil
	case typeRefreshToken:
		r, err := e.loadRecord(in.SubjectProfile)
		if err != nil {
			return "", err
		}
		if r.Token.RefreshToken == "" {
			return "", failf(api.CodeBadInput, "profile %q holds no refresh token to exchange", in.SubjectProfile)
		}
		return r.Token.RefreshToken, nil
	case typeIDToken:
		r, err := e.loadRecord(in.SubjectProfile)
		if err != nil {
			return "", err
		}
		if r.Token.IDToken != "" && e.idTokenExpired(r) && r.Token.RefreshToken != "" {
			ref.ForceRefresh = true
			if _, err := e.Token(ref); err != nil {
				return "", err
			}
			if r, err = e.loadRecord(in.SubjectProfile); err != nil {
				return "", err
			}
		}
		if r.Token.IDToken == "" {
			return "", failf(api.CodeBadInput, "profile %q holds no ID token to exchange (was it signed in with scope openid?)", in.SubjectProfile)
		}
		return r.Token.IDToken, nil
	}
	return "", failf(api.CodeBadInput, "a subject profile can give an access_token, refresh_token or id_token; pass a token of type %s on stdin instead", clean(subjectType))
}

// idTokenExpired reads exp from the stored (validated) claims.
func (e *Engine) idTokenExpired(r *record) bool {
	n, ok := r.Claims["exp"].(jsonv.Number)
	if !ok {
		return false
	}
	exp, err := n.Float64()
	return err == nil && !e.fresh(int64(exp))
}
