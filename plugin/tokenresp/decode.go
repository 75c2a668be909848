package tokenresp

import (
	"bytes"
	"errors"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/internal/jsonv"
)

// fields is a decoded response: values are what jsonv.Value.Any produces
// (numbers as unrounded jsonv.Number), or plain strings for form-encoded
// bodies.
type fields map[string]any

type format int

const (
	formatUnknown format = iota
	formatJSON
	formatForm
	formatHTML
)

// detectFormat trusts the content type where it is specific, and sniffs the
// body where servers leave it out or send text/plain.
func detectFormat(contentType string, trimmed []byte) format {
	if len(trimmed) > 0 && trimmed[0] == '<' {
		return formatHTML
	}
	mt := mediaType(contentType)
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return formatJSON
	case mt == "application/x-www-form-urlencoded":
		return formatForm
	case mt == "text/html" || mt == "application/xhtml+xml":
		return formatHTML
	case mt != "" && mt != "text/plain":
		return formatUnknown
	case len(trimmed) > 0 && trimmed[0] == '{':
		return formatJSON
	case bytes.IndexByte(trimmed, '=') > 0 && bytes.IndexAny(trimmed, " \t\r\n") < 0:
		return formatForm
	}
	return formatUnknown
}

func mediaType(contentType string) string {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

func decode(contentType string, body []byte) (fields, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, &InvalidError{Reason: "the response body is empty"}
	}
	switch detectFormat(contentType, trimmed) {
	case formatJSON:
		return decodeJSON(trimmed)
	case formatForm:
		values, err := url.ParseQuery(string(trimmed))
		if err != nil {
			return nil, &InvalidError{Reason: "the form-encoded body is malformed"}
		}
		f := fields{}
		for name, vs := range values {
			f[name] = vs[0]
		}
		return f, nil
	case formatHTML:
		if mt := mediaType(contentType); strings.HasSuffix(mt, "xml") && mt != "application/xhtml+xml" {
			return nil, &InvalidError{Reason: "the server sent XML instead of a token response"}
		}
		return nil, &InvalidError{Reason: "the server sent an HTML page instead of a token response"}
	}
	if contentType == "" {
		return nil, &InvalidError{Reason: "the response has no content type and is neither JSON nor form-encoded"}
	}
	return nil, &InvalidError{Reason: "unsupported content type " + strconv.Quote(sanitize(mediaType(contentType), maxCodeLen))}
}

func decodeJSON(trimmed []byte) (fields, error) {
	if trimmed[0] != '{' {
		return nil, &InvalidError{Reason: "the JSON body is not an object"}
	}
	v, err := jsonv.Parse(trimmed)
	switch {
	case errors.Is(err, jsonv.ErrTruncated):
		return nil, &InvalidError{Reason: "the JSON body is truncated"}
	case errors.Is(err, jsonv.ErrTrailingData):
		return nil, &InvalidError{Reason: "the JSON body has data after the object"}
	case err != nil:
		return nil, &InvalidError{Reason: "the body is not valid JSON"}
	}
	return v.Any().(map[string]any), nil
}

func (f fields) string(name string) (string, error) {
	switch v := f[name].(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	}
	return "", &InvalidError{Reason: name + " is not a string"}
}

// scope also accepts a JSON array, which some servers send instead of the
// space-delimited string of RFC 6749 3.3.
func (f fields) scope() (string, error) {
	list, ok := f["scope"].([]any)
	if !ok {
		return f.string("scope")
	}
	parts := make([]string, 0, len(list))
	for _, item := range list {
		s, ok := item.(string)
		if !ok {
			return "", &InvalidError{Reason: "scope contains a value that is not a string"}
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " "), nil
}

// number accepts a JSON number or a numeric string; null and "" count as
// absent.
func (f fields) number(name string) (n float64, present bool, err error) {
	var text string
	switch v := f[name].(type) {
	case nil:
		return 0, false, nil
	case jsonv.Number:
		text = string(v)
	case string:
		text = strings.TrimSpace(v)
		if text == "" {
			return 0, false, nil
		}
	default:
		return 0, false, &InvalidError{Reason: name + " is not a number"}
	}
	n, err = strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return 0, false, &InvalidError{Reason: name + " is not a number"}
	}
	return n, true, nil
}

const (
	// maxLifetime bounds expires_in at a century so the duration cannot
	// overflow; anything longer is a server bug, not a real lifetime.
	maxLifetime = 100 * 365 * 24 * 60 * 60
	// maxUnixTime is the last second of year 9999.
	maxUnixTime = 253402300799
)

// expiry combines expires_in and expires_at (Strava sends both) and keeps
// the earlier, so a disagreement between them never extends a token's life.
// An expires_in of 0 is read as "unknown": servers that send it mean the
// token has no fixed lifetime, not that it was dead on arrival.
func (f fields) expiry(now time.Time) (time.Time, error) {
	var at time.Time
	in, ok, err := f.number("expires_in")
	if err != nil {
		return time.Time{}, err
	}
	if ok {
		if in < 0 || in > maxLifetime {
			return time.Time{}, &InvalidError{Reason: "expires_in is out of range"}
		}
		if in > 0 {
			at = now.Add(time.Duration(in * float64(time.Second)))
		}
	}
	unix, ok, err := f.number("expires_at")
	if err != nil {
		return time.Time{}, err
	}
	if ok {
		if unix <= 0 || unix > maxUnixTime {
			return time.Time{}, &InvalidError{Reason: "expires_at is out of range"}
		}
		if t := time.Unix(int64(unix), 0); at.IsZero() || t.Before(at) {
			at = t
		}
	}
	return at, nil
}
