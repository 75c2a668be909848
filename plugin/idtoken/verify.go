package idtoken

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/internal/jsonv"
)

// Options is what the token is checked against, and the Verifier that
// checks its signature.
type Options struct {
	// Verifier does the signature arithmetic (see Verifier).
	Verifier Verifier
	Issuer   string // exactly as in discovery; compared byte for byte (a tenant template: see checkIssuer)
	ClientID string
	// Nonce is the value sent in the authorization request. Leave it empty
	// for ID tokens from a refresh, which need not repeat it.
	Nonce string
	Now   time.Time
	// Skew tolerates clocks that disagree, for exp, iat and nbf.
	Skew time.Duration
	// MaxAge limits how long ago the token may have been issued, which
	// bounds replay of a captured token; 0 means no limit.
	MaxAge time.Duration
	// RequireNonce guards against a caller that forgot to pass the nonce
	// on a login, where it is the only defence against token injection.
	RequireNonce bool
}

// Claims holds the validated claims. Raw has every claim, numbers as
// jsonv.Number (the literal, unrounded), for callers that need more (email,
// name, groups).
type Claims struct {
	Issuer    string
	Subject   string
	AZP       string
	Nonce     string
	Audience  []string
	ExpiresAt time.Time
	IssuedAt  time.Time
	Raw       map[string]any
}

// Verify checks the signature of an ID token with keys, then its claims
// as OIDC Core 3.1.3.7 requires. When the token names a key the set does
// not have, the error satisfies errors.Is(err, ErrUnknownKey); when the
// Verifier could not answer, the error wraps its *api.Error.
func Verify(raw string, keys *KeySet, opts Options) (*Claims, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	if keys == nil {
		return nil, errors.New("id token: no key set (programming error)")
	}
	t, err := splitJWS(raw)
	if err != nil {
		return nil, err
	}
	if err := t.checkHeader(); err != nil {
		return nil, err
	}
	if err := t.verifySignature(keys, opts.Verifier); err != nil {
		return nil, err
	}
	payload, err := decodeClaims(t.payload)
	if err != nil {
		return nil, err
	}
	c, err := extract(payload)
	if err != nil {
		return nil, err
	}
	if err := c.validate(opts); err != nil {
		return nil, err
	}
	return c, nil
}

func (o *Options) check() error {
	switch {
	case o.Verifier == nil:
		return errors.New("id token: Options.Verifier is not set (programming error)")
	case o.Issuer == "":
		return errors.New("id token: Options.Issuer is empty (programming error)")
	case o.ClientID == "":
		return errors.New("id token: Options.ClientID is empty (programming error)")
	case o.Now.IsZero():
		return errors.New("id token: Options.Now is not set (programming error)")
	case o.Skew < 0 || o.MaxAge < 0:
		return errors.New("id token: Options.Skew and Options.MaxAge must not be negative (programming error)")
	case o.RequireNonce && o.Nonce == "":
		return errors.New("id token: RequireNonce is set but Options.Nonce is empty (programming error)")
	}
	return nil
}

// UnverifiedClaims decodes the payload WITHOUT checking the signature or
// any claim. Anyone can forge its content: use it only to show a token to a
// person, never to decide who the user is or what they may do.
func UnverifiedClaims(raw string) (map[string]any, error) {
	t, err := splitJWS(raw)
	if err != nil {
		return nil, err
	}
	return decodeClaims(t.payload)
}

func decodeClaims(payload []byte) (map[string]any, error) {
	v, err := jsonv.Parse(payload)
	if errors.Is(err, jsonv.ErrTrailingData) {
		return nil, errors.New("id token: payload has data after the JSON object")
	}
	m, ok := v.Any().(map[string]any)
	if err != nil || !ok {
		return nil, errors.New("id token: payload is not a JSON object")
	}
	return m, nil
}

func (c *Claims) validate(o Options) error {
	if err := c.checkIssuer(o.Issuer); err != nil {
		return err
	}
	if len(c.Audience) == 0 {
		return errors.New("id token: missing aud")
	}
	if !slices.Contains(c.Audience, o.ClientID) {
		return errors.New(fmt.Sprintf("id token: audience %q does not include client %q", c.Audience, o.ClientID))
	}
	if len(c.Audience) > 1 && c.AZP == "" {
		return errors.New("id token: azp is required when the token has several audiences")
	}
	if c.AZP != "" && c.AZP != o.ClientID {
		return errors.New("id token: authorized party (azp) " + strconv.Quote(c.AZP) + " is not client " + strconv.Quote(o.ClientID))
	}
	if !o.Now.Before(c.ExpiresAt.Add(o.Skew)) {
		return errors.New("id token: expired at " + formatTime(c.ExpiresAt))
	}
	if c.IssuedAt.After(o.Now.Add(o.Skew)) {
		return errors.New("id token: issued in the future, at " + formatTime(c.IssuedAt) + "; check the system clock")
	}
	if o.MaxAge > 0 && c.IssuedAt.Before(o.Now.Add(-o.MaxAge-o.Skew)) {
		return errors.New("id token: issued at " + formatTime(c.IssuedAt) + ", more than " + o.MaxAge.String() + " ago")
	}
	if nbf, ok, err := timeClaim(c.Raw, "nbf"); err != nil {
		return err
	} else if ok && nbf.After(o.Now.Add(o.Skew)) {
		return errors.New("id token: not valid before " + formatTime(nbf))
	}
	if o.Nonce != "" {
		if c.Nonce == "" {
			return errors.New("id token: missing nonce")
		}
		if c.Nonce != o.Nonce {
			return errors.New("id token: nonce does not match the one sent with the login request")
		}
	}
	return nil
}

// formatTime writes t as RFC 3339 in UTC, whole seconds.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }
