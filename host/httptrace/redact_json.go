package httptrace

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// redactJSON renders a JSON document for the trace. A value is printed
// only under a member named in shownFields; a member in namedSecrets shows
// its name with "[redacted]"; other members are only counted. Scalars with
// no name above them (a top-level array, say) are redacted. A body that is
// not valid JSON is not shown at all.
func redactJSON(s string) string {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return fmt.Sprintf("(%d bytes of invalid JSON, not shown)", len(s))
	}
	var b strings.Builder
	writeRedacted(&b, v, false)
	return b.String()
}

// writeRedacted writes v; shown says the nearest member name above v
// allows its scalars to be printed.
func writeRedacted(b *strings.Builder, v any, shown bool) {
	switch v := v.(type) {
	case map[string]any:
		b.WriteByte('{')
		hidden := 0
		first := true
		for _, k := range slices.Sorted(maps.Keys(v)) {
			switch {
			case fieldShown(k):
				sep(b, &first)
				writeJSONString(b, k)
				b.WriteByte(':')
				writeRedacted(b, v[k], true)
			case namedSecrets[k]:
				sep(b, &first)
				writeJSONString(b, k)
				b.WriteString(`:"[redacted]"`)
			default:
				hidden++
			}
		}
		if hidden > 0 {
			sep(b, &first)
			fmt.Fprintf(b, "(%d more redacted)", hidden)
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			writeRedacted(b, e, shown)
		}
		b.WriteByte(']')
	default:
		if !shown {
			b.WriteString(`"[redacted]"`)
			return
		}
		out, _ := json.Marshal(v)
		b.Write(out)
	}
}

func sep(b *strings.Builder, first *bool) {
	if !*first {
		b.WriteByte(',')
	}
	*first = false
}

func writeJSONString(b *strings.Builder, s string) {
	out, _ := json.Marshal(s)
	b.Write(out)
}
