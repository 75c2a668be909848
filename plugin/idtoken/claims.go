package idtoken

import (
	"errors"
	"math"
	"strconv"
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/internal/jsonv"
)

// extract reads the registered claims with their JSON types checked, so
// a wrong type is reported as such rather than as a missing claim.
func extract(raw map[string]any) (*Claims, error) {
	c := &Claims{Raw: raw}
	strs := []struct {
		name     string
		dst      *string
		required bool
	}{
		{"iss", &c.Issuer, true},
		{"sub", &c.Subject, true},
		{"azp", &c.AZP, false},
		{"nonce", &c.Nonce, false},
	}
	for _, s := range strs {
		switch v := raw[s.name].(type) {
		case string:
			*s.dst = v
		case nil:
		default:
			return nil, errors.New("id token: " + s.name + " is not a string")
		}
		if s.required && *s.dst == "" {
			return nil, errors.New("id token: missing " + s.name)
		}
	}
	aud, err := audience(raw["aud"])
	if err != nil {
		return nil, err
	}
	c.Audience = aud
	for _, tc := range []struct {
		name string
		dst  *time.Time
	}{{"exp", &c.ExpiresAt}, {"iat", &c.IssuedAt}} {
		t, ok, err := timeClaim(raw, tc.name)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, errors.New("id token: missing " + tc.name)
		}
		*tc.dst = t
	}
	return c, nil
}

// audience accepts both forms RFC 7519 4.1.3 allows: one string or an
// array of strings.
func audience(v any) ([]string, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		if v == "" {
			return nil, nil
		}
		return []string{v}, nil
	case []any:
		aud := make([]string, 0, len(v))
		for _, item := range v {
			s, ok := item.(string)
			if !ok {
				return nil, errors.New("id token: aud contains a value that is not a string")
			}
			aud = append(aud, s)
		}
		return aud, nil
	}
	return nil, errors.New("id token: aud is not a string or an array of strings")
}

// maxUnixTime is the last second of year 9999; larger values would
// overflow time arithmetic and are never legitimate.
const maxUnixTime = 253402300799

// timeClaim reads a NumericDate (RFC 7519 2): seconds since the epoch,
// integer or not.
func timeClaim(raw map[string]any, name string) (time.Time, bool, error) {
	v, present := raw[name]
	if !present || v == nil {
		return time.Time{}, false, nil
	}
	n, ok := v.(jsonv.Number)
	if !ok {
		return time.Time{}, false, errors.New("id token: " + name + " is not a number")
	}
	secs, err := strconv.ParseFloat(string(n), 64)
	if err != nil || secs < 0 || secs > maxUnixTime {
		return time.Time{}, false, errors.New("id token: " + name + " is out of range")
	}
	whole, frac := math.Modf(secs)
	return time.Unix(int64(whole), int64(frac*1e9)).UTC(), true, nil
}
