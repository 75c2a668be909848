// Package tokenresp interprets token endpoint responses (RFC 6749 5.1 and
// 5.2) as real providers send them, not only as the RFC describes them:
// GitHub answers form-encoded and reports errors with HTTP 200, Microsoft
// sends expires_in as a string, Strava adds expires_at. Everything that
// reaches an error message is sanitized, and token values never do.
package tokenresp

import (
	"strings"
	"time"
)

// Token is a successful token response.
type Token struct {
	AccessToken string
	// TokenType defaults to "Bearer" when the server omits it (GitHub's
	// form responses do): every provider that omits it issues bearer tokens,
	// and refusing a usable token over a missing label helps nobody.
	// "bearer" in any case is normalized to "Bearer".
	TokenType    string
	RefreshToken string
	IDToken      string
	Scope        string
	// ExpiresAt is the zero time when the server did not say; callers then
	// use the token until it is refused.
	ExpiresAt time.Time
	// IssuedTokenType is set by token exchange (RFC 8693 2.2.1).
	IssuedTokenType string
}

// Parse interprets one token endpoint response. now anchors expires_in,
// which is relative to when the response was received.
//
// It returns *ServerError when the server sent an "error" code (whatever the
// HTTP status), *HTTPError for any other non-2xx answer, and *InvalidError
// when a 2xx answer is not a usable token response.
func Parse(status int, contentType string, body []byte, now time.Time) (*Token, error) {
	fields, decodeErr := decode(contentType, body)
	if se := serverError(status, fields); se != nil {
		return nil, se
	}
	if !is2xx(status) {
		return nil, newHTTPError(status, contentType, body)
	}
	if decodeErr != nil {
		return nil, decodeErr
	}
	return tokenFrom(fields, now)
}

func tokenFrom(f fields, now time.Time) (*Token, error) {
	var t Token
	strs := []struct {
		name string
		dst  *string
	}{
		{"access_token", &t.AccessToken},
		{"token_type", &t.TokenType},
		{"refresh_token", &t.RefreshToken},
		{"id_token", &t.IDToken},
		{"issued_token_type", &t.IssuedTokenType},
	}
	for _, s := range strs {
		v, err := f.string(s.name)
		if err != nil {
			return nil, err
		}
		*s.dst = v
	}
	if t.AccessToken == "" {
		return nil, &InvalidError{Reason: "the response has no access_token"}
	}
	if t.TokenType == "" || strings.EqualFold(t.TokenType, "bearer") {
		t.TokenType = "Bearer"
	}
	var err error
	if t.Scope, err = f.scope(); err != nil {
		return nil, err
	}
	if t.ExpiresAt, err = f.expiry(now); err != nil {
		return nil, err
	}
	return &t, nil
}

func is2xx(status int) bool { return status >= 200 && status <= 299 }
