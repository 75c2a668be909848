package jsonv

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Writer appends JSON to B, putting in the commas and colons. That keys and
// values alternate properly is up to the caller.
type Writer struct {
	B     []byte
	comma bool // a value was just completed: the next one needs a comma
}

func (w *Writer) sep() {
	if w.comma {
		w.B = append(w.B, ',')
	}
	w.comma = true
}

func (w *Writer) BeginObject() { w.sep(); w.B = append(w.B, '{'); w.comma = false }
func (w *Writer) EndObject()   { w.B = append(w.B, '}'); w.comma = true }
func (w *Writer) BeginArray()  { w.sep(); w.B = append(w.B, '['); w.comma = false }
func (w *Writer) EndArray()    { w.B = append(w.B, ']'); w.comma = true }

// Key starts an object member; write its value next.
func (w *Writer) Key(name string) *Writer {
	w.sep()
	w.B = append(appendString(w.B, name), ':')
	w.comma = false
	return w
}

func (w *Writer) String(s string) { w.sep(); w.B = appendString(w.B, s) }
func (w *Writer) Int(n int64)     { w.sep(); w.B = strconv.AppendInt(w.B, n, 10) }
func (w *Writer) Bool(b bool)     { w.sep(); w.B = strconv.AppendBool(w.B, b) }
func (w *Writer) Null()           { w.sep(); w.B = append(w.B, "null"...) }

// Number writes a literal as it is; it must be one Parse accepted.
func (w *Writer) Number(n Number) { w.sep(); w.B = append(w.B, n...) }

// Strings writes an array of strings, or null for a nil slice as
// encoding/json does.
func (w *Writer) Strings(s []string) {
	if s == nil {
		w.Null()
		return
	}
	w.BeginArray()
	for _, item := range s {
		w.String(item)
	}
	w.EndArray()
}

// Any writes what Value.Any returns: nil, bool, Number, string, []any and
// map[string]any, with object keys sorted as encoding/json sorts them. Any
// other type is a programming error and panics.
func (w *Writer) Any(v any) {
	switch v := v.(type) {
	case nil:
		w.Null()
	case bool:
		w.Bool(v)
	case Number:
		w.Number(v)
	case string:
		w.String(v)
	case []any:
		w.BeginArray()
		for _, item := range v {
			w.Any(item)
		}
		w.EndArray()
	case map[string]any:
		writeMap(w, v, (*Writer).Any)
	default:
		panic("jsonv: Writer.Any cannot write this type")
	}
}

// sortedKeys is the order in which encoding/json writes a map's members.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

const hexDigits = "0123456789abcdef"

// appendString quotes s exactly as encoding/json does by default: <, > and
// & escaped for HTML, U+2028 and U+2029 for JavaScript, invalid UTF-8
// replaced by U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0 // s[start:i] needs no escaping
	for i := 0; i < len(s); {
		c := s[i]
		r, size := rune(c), 1
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
			if size == 1 {
				r = utf8.RuneError // an invalid byte
			} else if r != '\u2028' && r != '\u2029' {
				i += size
				continue
			}
		} else if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
			i++
			continue
		}
		b = append(b, s[start:i]...)
		if k := strings.IndexByte("\"\\\b\f\n\r\t", c); k >= 0 {
			b = append(b, '\\', "\"\\bfnrt"[k])
		} else {
			b = append(b, '\\', 'u', hexDigits[r>>12], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
		}
		i += size
		start = i
	}
	return append(append(b, s[start:]...), '"')
}
