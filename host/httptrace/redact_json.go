package httptrace

import (
	"encoding/json"
	"slices"
)

// redactJSON replaces the values of secret-bearing members anywhere in a
// JSON document; a body that is not valid JSON is not shown at all.
func redactJSON(s string) string {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return "(invalid JSON, not shown)"
	}
	b, _ := json.Marshal(redact(v))
	return string(b)
}

func redact(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if slices.Contains(secretNames, k) {
				v[k] = "[redacted]"
			} else {
				v[k] = redact(e)
			}
		}
	case []any:
		for i, e := range v {
			v[i] = redact(e)
		}
	}
	return v
}
