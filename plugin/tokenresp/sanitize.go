package tokenresp

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	maxCodeLen        = 100
	maxDescriptionLen = 300
	maxExcerptLen     = 100 // leaves room for the wording around it in Snippet
)

// sanitize makes server-supplied text safe to print: control and format
// characters (which could rewrite a terminal line or reorder text) become
// spaces, runs of space collapse, and the result is cut to max runes.
func sanitize(s string, maxRunes int) string {
	truncated := false
	if limit := 4 * maxRunes; len(s) > limit { // bounds the work on a huge value
		s, truncated = s[:limit], true
	}
	var b strings.Builder
	space := false
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	out := b.String()
	if !truncated && utf8.RuneCountInString(out) <= maxRunes {
		return out
	}
	if runes := []rune(out); len(runes) >= maxRunes {
		out = string(runes[:maxRunes-1])
	}
	return strings.TrimRight(out, " ") + "…"
}

// describeBody summarizes an unexpected answer without echoing markup or
// long text: an HTML error page is named as such, short text is quoted.
func describeBody(contentType string, body []byte) string {
	trimmed := bytes.TrimSpace(body)
	switch {
	case len(trimmed) == 0:
		return "an empty body"
	case detectFormat(contentType, trimmed) == formatHTML:
		return "an HTML page"
	}
	return `the text "` + sanitize(string(trimmed), maxExcerptLen) + `"`
}
