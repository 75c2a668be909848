package jsonv

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// FuzzParse holds Parse to encoding/json: it must accept exactly what
// json.Valid accepts, except documents nested deeper than MaxDepth, with a
// duplicate member name or with invalid UTF-8, and yield the same value as
// json.Unmarshal with UseNumber. Writing that value
// back must give json.Marshal's bytes. Seeds are in testdata/fuzz/FuzzParse;
// run it with
//
//	go test ./plugin/internal/jsonv -run '^$' -fuzz '^FuzzParse$' -fuzztime 10s
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Parse(data)
		if errors.Is(err, ErrTooDeep) || errors.Is(err, ErrDuplicateName) || errors.Is(err, ErrInvalidUTF8) {
			// The documented differences: encoding/json allows 10000 levels,
			// and resolves duplicates and bad UTF-8 silently.
			return
		}
		if valid := json.Valid(data); (err == nil) != valid {
			t.Fatalf("Parse(%q): error %v, but json.Valid = %v", data, err, valid)
		}
		if err != nil {
			return
		}
		d := json.NewDecoder(bytes.NewReader(data))
		d.UseNumber()
		var want any
		if err := d.Decode(&want); err != nil {
			t.Fatalf("json.Decode(%q): %v", data, err)
		}
		if got := withJSONNumbers(v.Any()); !reflect.DeepEqual(got, want) {
			t.Fatalf("Parse(%q) = %#v, encoding/json gives %#v", data, got, want)
		}
		var w Writer
		w.Any(v.Any())
		if marshaled, _ := json.Marshal(want); !bytes.Equal(w.B, marshaled) {
			t.Fatalf("Writer.Any(Parse(%q)) = %s, json.Marshal gives %s", data, w.B, marshaled)
		}
	})
}

// withJSONNumbers replaces Number by json.Number, so that the result of
// Value.Any compares equal to encoding/json's.
func withJSONNumbers(v any) any {
	switch v := v.(type) {
	case Number:
		return json.Number(v)
	case []any:
		for i := range v {
			v[i] = withJSONNumbers(v[i])
		}
	case map[string]any:
		for k := range v {
			v[k] = withJSONNumbers(v[k])
		}
	}
	return v
}
