package idtoken

import (
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/internal/jsonv"
)

// Options is what the token is checked against.
type Options struct {
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
// not have, the error satisfies errors.Is(err, ErrUnknownKey).
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
	if err := t.verifySignature(keys); err != nil {
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
		return errors.New("id token: audience " + quoteList(c.Audience) + " does not include client " + strconv.Quote(o.ClientID))
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

// formatTime writes t as RFC 3339 in UTC, whole seconds, exactly as
// t.UTC().Format(time.RFC3339) would for the years a NumericDate may have
// here (1970 to 9999). It is written out because time.Format and the
// time-zone code it reaches are a sizeable part of the Wasm plugin.
func formatTime(t time.Time) string {
	secs := t.Unix()
	days, rem := secs/86400, secs%86400
	if rem < 0 {
		days, rem = days-1, rem+86400
	}
	y, m, d := civilDate(days)
	b := make([]byte, 0, len("2006-01-02T15:04:05Z"))
	for i, f := range [6]int64{y, m, d, rem / 3600, rem / 60 % 60, rem % 60} {
		width := 2
		if i == 0 {
			width = 4
		}
		b = appendDigits(b, f, width)
		b = append(b, "--T::Z"[i])
	}
	return string(b)
}

// civilDate converts days since 1970-01-01 to a proleptic Gregorian date
// (the civil_from_days algorithm of https://howardhinnant.github.io/date_algorithms.html).
func civilDate(days int64) (year, month, day int64) {
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097                                  // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // [0, 365]
	mp := (5*doy + 2) / 153                                // [0, 11], from March
	day = doy - (153*mp+2)/5 + 1
	month = mp + 3
	if month > 12 {
		month -= 12
	}
	year = yoe + era*400
	if month <= 2 {
		year++
	}
	return year, month, day
}

// appendDigits appends n (not negative) zero-padded to width digits.
func appendDigits(b []byte, n int64, width int) []byte {
	var buf [20]byte
	i := len(buf)
	for n > 0 || width > 0 {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
		width--
	}
	return append(b, buf[i:]...)
}

// quoteList formats a list as fmt's %q does: ["a" "b"].
func quoteList(list []string) string {
	b := []byte{'['}
	for i, s := range list {
		if i > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendQuote(b, s)
	}
	return string(append(b, ']'))
}
