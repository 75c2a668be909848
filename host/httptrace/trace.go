// Package httptrace prints the plugin's HTTP exchanges for --verbose, with
// secrets redacted unless the user explicitly asks for them: verbose logs
// that print tokens are a common complaint about CLI auth tools. It fails
// closed: only values under names known to be public (names.go) are
// printed, and whatever does not parse is redacted whole.
package httptrace

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// Doer is what the engine's Services.HTTP needs.
type Doer interface {
	Do(ctx context.Context, req api.HTTPRequest) api.Reply[api.HTTPResponse]
}

// Tracer wraps a Doer and writes one block per exchange to W.
type Tracer struct {
	Next Doer
	W    io.Writer
	// ShowSecrets prints everything as is (WASMLOGIN_TRACE_SECRETS=1).
	ShowSecrets bool
}

// Do performs and prints one exchange.
func (t *Tracer) Do(ctx context.Context, req api.HTTPRequest) api.Reply[api.HTTPResponse] {
	fmt.Fprintf(t.W, "> %s %s\n", req.Method, t.url(req.URL))
	t.headers(">", req.Headers)
	if req.Body != "" {
		fmt.Fprintf(t.W, ">\n> %s\n", t.body(req.Body))
	}
	reply := t.Next.Do(ctx, req)
	switch {
	case reply.Error != nil:
		fmt.Fprintf(t.W, "< error %s: %s\n\n", reply.Error.Code, reply.Error.Message)
	case reply.OK != nil:
		fmt.Fprintf(t.W, "< %d\n", reply.OK.Status)
		t.headers("<", reply.OK.Headers)
		fmt.Fprintf(t.W, "<\n< %s\n\n", t.body(reply.OK.Body))
	}
	return reply
}

// url prints scheme, host and path, the query through the form rules, and
// neither user information nor fragment (where implicit-flow tokens
// travel). A URL that does not parse is redacted whole.
func (t *Tracer) url(raw string) string {
	if t.ShowSecrets {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" {
		return "[unparsable URL, redacted]"
	}
	out := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	s := out.String()
	if u.RawQuery != "" || u.ForceQuery {
		s += "?" + t.form(u.RawQuery)
	}
	if u.User != nil {
		s = strings.Replace(s, "://", "://[redacted]@", 1)
	}
	if u.Fragment != "" {
		s += "#[redacted]"
	}
	return s
}

// headers prints every header name, and a value only for shownHeaders;
// Location goes through url.
func (t *Tracer) headers(dir string, h map[string][]string) {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		v := strings.Join(h[k], ", ")
		switch {
		case t.ShowSecrets || headerShown(k):
		case strings.EqualFold(k, "Location"):
			locs := make([]string, len(h[k]))
			for i, l := range h[k] {
				locs[i] = t.url(l)
			}
			v = strings.Join(locs, ", ")
		default:
			v = "[redacted]"
		}
		fmt.Fprintf(t.W, "%s %s: %s\n", dir, k, printable(v))
	}
}

// form prints a form or query string: shownParams with their values,
// namedSecrets as name=[redacted], and only a count of the rest, whose
// names may themselves be secrets. Unparsable input is redacted whole.
func (t *Tracer) form(s string) string {
	if t.ShowSecrets {
		return s
	}
	q, err := url.ParseQuery(s)
	if err != nil {
		return "[unparsable, redacted]"
	}
	var parts []string
	hidden := 0
	for _, k := range slices.Sorted(maps.Keys(q)) {
		switch {
		case shownParams[k]:
			for _, v := range q[k] {
				parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(v))
			}
		case namedSecrets[k]:
			parts = append(parts, url.QueryEscape(k)+"=[redacted]")
		default:
			hidden += len(q[k])
		}
	}
	if hidden > 0 {
		parts = append(parts, fmt.Sprintf("(%d more redacted)", hidden))
	}
	return strings.Join(parts, "&")
}

// body prints a request or response body: JSON and form bodies through
// their rules; anything else is summarised, since an HTML error page may
// echo what was sent.
func (t *Tracer) body(s string) string {
	if t.ShowSecrets {
		return s
	}
	trimmed := strings.TrimSpace(s)
	switch {
	case trimmed == "":
		return "(empty)"
	case strings.HasPrefix(trimmed, "{") || strings.HasPrefix(trimmed, "["):
		return redactJSON(trimmed)
	case strings.Contains(trimmed, "=") && !strings.ContainsAny(trimmed, " <\n\r\t"):
		return t.form(trimmed)
	}
	return fmt.Sprintf("(%d bytes, not shown)", len(s))
}

// printable replaces control characters, so a header value cannot forge
// trace lines or drive the terminal.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}
