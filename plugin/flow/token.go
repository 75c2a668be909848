package flow

import (
	"net/url"
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/tokenresp"
)

// Token returns a stored access token while it stays valid for
// AccessTokenSkew, and refreshes it otherwise, persisting a rotated refresh
// token. A failed refresh never deletes what is stored.
func (e *Engine) Token(in api.TokenInput) (*api.TokenResult, *api.Error) {
	profile, perr := e.resolveProfile(in.ProfileRef)
	if perr != nil {
		return nil, perr
	}
	r, lerr := e.loadRecord(profile)
	if lerr != nil {
		return nil, lerr
	}
	if !in.ForceRefresh && r.Token.AccessToken != "" && e.fresh(r.Token.ExpiresAt) {
		return tokenResult(profile, r, false), nil
	}
	if r.Grant == grantClientCredentials {
		return e.renewClientCredentials(profile, r)
	}
	if r.Token.RefreshToken == "" {
		return nil, failf(api.CodeLoginRequired, "the access token for profile %q has expired and there is no refresh token; run login again", profile)
	}
	if err := e.refresh(profile, r); err != nil {
		return nil, err
	}
	if err := e.saveRecord(profile, r); err != nil {
		return nil, err
	}
	return tokenResult(profile, r, true), nil
}

// fresh says whether a token expiring at exp (unix seconds, 0 = the server
// did not say) is still good for AccessTokenSkew.
func (e *Engine) fresh(exp int64) bool {
	return exp == 0 || e.now().Add(AccessTokenSkew).Before(time.Unix(exp, 0))
}

// refresh redeems r's refresh token. An MCP sign-in's request names its
// resource again (RFC 8707 2.2), so the new token is for the same server.
func (e *Engine) refresh(profile string, r *record) *api.Error {
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {r.Token.RefreshToken}}
	if r.Resource != "" {
		form.Set("resource", r.Resource)
	}
	resp, ferr := e.postToken("refreshing the access token", r.Endpoints.Token, form, r.client(profile))
	if ferr != nil {
		return ferr
	}
	tok, err := tokenresp.Parse(resp.Status, header(resp, "Content-Type"), []byte(resp.Body), e.now())
	if err != nil {
		f := withRetryAfter(tokenFailure("refreshing the access token", err), resp)
		// Dex answers a dead (reused, expired) refresh token with
		// invalid_request, not invalid_grant. A refresh request carries
		// nothing else that could be malformed, so both mean: log in again.
		if f.ServerError == "invalid_grant" || f.ServerError == "invalid_request" || ownDeadRefreshCode(f.ServerError) {
			f.Code = api.CodeLoginRequired
			f.Message = "the refresh token is no longer valid (expired or revoked); run login again"
		}
		return f
	}
	if r.MCP != nil && r.Claims == nil {
		tok.IDToken = "" // an MCP sign-in that took no identity at sign-in takes none now
	}
	return e.acceptToken(r, tok, "")
}

// acceptToken folds a token response into the record: it validates a new ID
// token, keeps the old refresh token and identity when the server sends none
// (RFC 6749 6 allows that), and keeps the subject stable across refreshes.
func (e *Engine) acceptToken(r *record, tok *tokenresp.Token, nonce string) *api.Error {
	first := r.Token.AccessToken == ""
	if tok.IDToken != "" {
		claims, err := e.verifyIDToken(r, tok.IDToken, nonce)
		if err != nil {
			return err
		}
		// OIDC Core 12.2: a refreshed ID token must be about the same user,
		// and sub means a user only within its issuer (its tenant, with
		// Microsoft's multi-tenant issuer template).
		if !first && r.Claims != nil && (r.Claims["sub"] != claims.Raw["sub"] || r.Claims["iss"] != claims.Raw["iss"]) {
			return failf(api.CodeIDToken, "the refreshed ID token names another user; run login again")
		}
		r.Claims = claims.Raw
		r.Token.IDToken = tok.IDToken
	} else if first && nonce != "" && r.Endpoints.OIDC {
		return failf(api.CodeIDToken, "the server did not send an ID token although scope openid was requested")
	}
	r.Token.AccessToken = tok.AccessToken
	r.Token.TokenType = tok.TokenType
	r.Token.ExpiresAt = 0
	if !tok.ExpiresAt.IsZero() {
		r.Token.ExpiresAt = tok.ExpiresAt.Unix()
	}
	if tok.RefreshToken != "" {
		r.Token.RefreshToken = tok.RefreshToken
	}
	if tok.Scope != "" {
		r.Token.Scope = tok.Scope
	}
	return nil
}

func tokenResult(profile string, r *record, refreshed bool) *api.TokenResult {
	return &api.TokenResult{Profile: profile, AccessToken: r.Token.AccessToken,
		TokenType: r.Token.TokenType, ExpiresAt: r.Token.ExpiresAt, Refreshed: refreshed}
}
