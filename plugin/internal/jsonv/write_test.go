package jsonv

import (
	"encoding/json"
	"testing"
)

func TestWriter(t *testing.T) {
	var w Writer
	w.BeginObject()
	w.Key("s").String("a<b>&c\u2028\"\\\n\x01\x7f\xff")
	w.Key("n").Int(-42)
	w.Key("b").Bool(true)
	w.Key("z").Null()
	w.Key("num").Number("1.50e3")
	w.Key("nil").Strings(nil)
	w.Key("l").Strings([]string{"x", "y"})
	w.Key("e").BeginArray()
	w.EndArray()
	w.Key("o").BeginObject()
	w.EndObject()
	w.Key("any").Any(map[string]any{"b": []any{nil, false}, "a": Number("7"), "é": "x"})
	w.EndObject()
	want := `{"s":"a\u003cb\u003e\u0026c\u2028\"\\\n\u0001` + "\x7f" + `\ufffd","n":-42,"b":true,"z":null,` +
		`"num":1.50e3,"nil":null,"l":["x","y"],"e":[],"o":{},"any":{"a":7,"b":[null,false],"é":"x"}}`
	if string(w.B) != want {
		t.Errorf("got  %s\nwant %s", w.B, want)
	}
	if !json.Valid(w.B) {
		t.Error("not valid JSON")
	}
}

// FuzzWriteString holds string escaping to json.Marshal's, byte for byte.
func FuzzWriteString(f *testing.F) {
	for _, s := range []string{"", "plain", "<script>&amp;</script>", "\u2028\u2029", "\x00\x1f\x7f", "\xff\xfe", "\xed\xa0\x80", "é😀\"\\/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); string(got) != string(want) {
			t.Fatalf("appendString(%q) = %s, json.Marshal gives %s", s, got, want)
		}
	})
}
