// Package httptrace prints the plugin's HTTP exchanges for --verbose, with
// secrets redacted unless the user explicitly asks for them: verbose logs
// that print tokens are a common complaint about CLI auth tools.
package httptrace

import (
	"context"
	"fmt"
	"io"
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

// Secret-bearing names in forms, queries and JSON bodies.
var secretNames = []string{"access_token", "refresh_token", "id_token", "code", "code_verifier",
	"client_secret", "device_code", "subject_token", "actor_token", "token", "password", "assertion"}

// Do performs and prints one exchange.
func (t *Tracer) Do(ctx context.Context, req api.HTTPRequest) api.Reply[api.HTTPResponse] {
	fmt.Fprintf(t.W, "> %s %s\n", req.Method, t.url(req.URL))
	t.headers(">", req.Headers)
	if req.Body != "" {
		fmt.Fprintf(t.W, ">\n> %s\n", t.form(req.Body))
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

func (t *Tracer) url(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || t.ShowSecrets {
		return raw
	}
	u.RawQuery = t.form(u.RawQuery)
	return u.String()
}

func (t *Tracer) headers(dir string, h map[string][]string) {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		v := strings.Join(h[k], ", ")
		if !t.ShowSecrets && (strings.EqualFold(k, "Authorization") || strings.EqualFold(k, "Cookie") || strings.EqualFold(k, "Set-Cookie")) {
			v = "[redacted]"
		}
		fmt.Fprintf(t.W, "%s %s: %s\n", dir, k, v)
	}
}

// form redacts secret values of a form or query string.
func (t *Tracer) form(s string) string {
	if t.ShowSecrets {
		return s
	}
	q, err := url.ParseQuery(s)
	if err != nil {
		return "[unparsable, redacted]"
	}
	for _, k := range secretNames {
		if _, ok := q[k]; ok {
			q[k] = []string{"[redacted]"}
		}
	}
	return q.Encode()
}

// body redacts a response body: JSON and form bodies keep their shape with
// secret values replaced; anything else is summarised, since an HTML error
// page may echo what was sent.
func (t *Tracer) body(s string) string {
	if t.ShowSecrets {
		return s
	}
	trimmed := strings.TrimSpace(s)
	switch {
	case trimmed == "":
		return "(empty)"
	case strings.HasPrefix(trimmed, "{"):
		return redactJSON(trimmed)
	case strings.Contains(trimmed, "=") && !strings.ContainsAny(trimmed, " <\n"):
		return t.form(trimmed)
	}
	return fmt.Sprintf("(%d bytes, not shown)", len(s))
}
