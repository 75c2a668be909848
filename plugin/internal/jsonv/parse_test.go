package jsonv

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestParseValid(t *testing.T) {
	cases := []struct {
		in   string
		kind Kind
		text string
	}{
		{`null`, KindNull, ""},
		{` true `, KindBool, "true"},
		{"\t\r\nfalse", KindBool, "false"},
		{`0`, KindNumber, "0"},
		{`-0`, KindNumber, "-0"},
		{`-12.50e+07`, KindNumber, "-12.50e+07"},
		{`1E-2`, KindNumber, "1E-2"},
		{`123456789012345678901234567890`, KindNumber, "123456789012345678901234567890"},
		{`""`, KindString, ""},
		{`"plain"`, KindString, "plain"},
		{`"\"\\\/\b\f\n\r\t"`, KindString, "\"\\/\b\f\n\r\t"},
		{`"\u00e9\u20AC"`, KindString, "é€"},
		{`"\ud83d\ude00"`, KindString, "😀"},
		{"\"\x7f é\"", KindString, "\x7f é"},
		{`[]`, KindArray, ""},
		{`{}`, KindObject, ""},
	}
	for _, c := range cases {
		v, err := Parse([]byte(c.in))
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if v.Kind() != c.kind || v.Text() != c.text {
			t.Errorf("Parse(%q) = %v %q, want %v %q", c.in, v.Kind(), v.Text(), c.kind, c.text)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	cases := []struct {
		in   string
		want error // nil: any reason but the sentinels
	}{
		{``, ErrTruncated},
		{`  `, ErrTruncated},
		{`[1,2`, ErrTruncated},
		{`{"a":`, ErrTruncated},
		{`{"a"`, ErrTruncated},
		{`"abc`, ErrTruncated},
		{`"ab\`, ErrTruncated},
		{`"\u12`, ErrTruncated},
		{`tru`, ErrTruncated},
		{`-`, ErrTruncated},
		{`1.`, ErrTruncated},
		{`1e+`, ErrTruncated},
		{`{} x`, ErrTrailingData},
		{`1 2`, ErrTrailingData},
		{`01`, ErrTrailingData},
		{`[1,]`, nil},
		{`{"a":1,}`, nil},
		{`[01]`, nil},
		{`{'a':1}`, nil},
		{`{a:1}`, nil},
		{`{"a" 1}`, nil},
		{`{"a":1 "b":2}`, nil},
		{`[1 2]`, nil},
		{`[1}`, nil},
		{`{"a":1]`, nil},
		{`// c` + "\n1", nil},
		{`/* c */ 1`, nil},
		{`NaN`, nil},
		{`Infinity`, nil},
		{`-Infinity`, nil},
		{`+1`, nil},
		{`.5`, nil},
		{`1.e5`, nil},
		{`0x10`, ErrTrailingData},
		{`truex`, ErrTrailingData},
		{`nul1`, nil},
		{`"\x"`, nil},
		{`"\U0041"`, nil},
		{`"\u00g0"`, nil},
		{"\"a\tb\"", nil},
		{"\"a\nb\"", nil},
		{"\"\x00\"", nil},
		{"\xef\xbb\xbf{}", nil}, // a byte order mark
		{"\u00a01", nil},        // only four whitespace characters count
	}
	for _, c := range cases {
		_, err := Parse([]byte(c.in))
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) = %v, want a *SyntaxError", c.in, err)
			continue
		}
		sentinel := errors.Is(err, ErrTruncated) || errors.Is(err, ErrTrailingData) || errors.Is(err, ErrTooDeep)
		if c.want != nil && !errors.Is(err, c.want) || c.want == nil && sentinel {
			t.Errorf("Parse(%q) = %v, want %v", c.in, err, c.want)
		}
	}
}

func TestDepthLimit(t *testing.T) {
	for _, open := range []string{"[", `{"k":`} {
		closeWith := map[string]string{"[": "]", `{"k":`: "}"}[open]
		ok := strings.Repeat(open, MaxDepth) + "1" + strings.Repeat(closeWith, MaxDepth)
		if _, err := Parse([]byte(ok)); err != nil {
			t.Errorf("depth %d: %v", MaxDepth, err)
		}
		deep := strings.Repeat(open, MaxDepth+1) + "1" + strings.Repeat(closeWith, MaxDepth+1)
		if _, err := Parse([]byte(deep)); !errors.Is(err, ErrTooDeep) {
			t.Errorf("depth %d: %v, want ErrTooDeep", MaxDepth+1, err)
		}
		if _, err := ParseDepth([]byte(deep), MaxDepth+1); err != nil {
			t.Errorf("ParseDepth(%d): %v", MaxDepth+1, err)
		}
	}
	// A million brackets fail fast instead of exhausting the stack.
	if _, err := Parse([]byte(strings.Repeat("[", 1<<20))); !errors.Is(err, ErrTooDeep) {
		t.Errorf("deep input: %v", err)
	}
}

func TestObjects(t *testing.T) {
	v, err := Parse([]byte(`{"b":{"c":"d"},"a":[true,null,"x"]}`))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range v.Members() {
		names = append(names, m.Name)
	}
	if strings.Join(names, ",") != "b,a" {
		t.Errorf("members in order %v", names)
	}
	b, ok := v.Get("b")
	if c, _ := b.Get("c"); !ok || c.Text() != "d" {
		t.Errorf(`Get("b") = %+v`, b)
	}
	if _, ok := v.Get("z"); ok {
		t.Error("Get of a missing name succeeded")
	}
	a, _ := v.Get("a")
	if items := a.Items(); len(items) != 3 || items[0].Kind() != KindBool || items[1].Kind() != KindNull || items[2].Text() != "x" {
		t.Errorf("items %+v", items)
	}
	m := v.Any().(map[string]any)
	if len(m) != 2 || m["b"].(map[string]any)["c"] != "d" {
		t.Errorf("Any() = %v", m)
	}
}

func TestNumbers(t *testing.T) {
	ints := []struct {
		lit  string
		want int64
		err  error
	}{
		{"0", 0, nil},
		{"-9223372036854775808", -1 << 63, nil},
		{"9223372036854775807", 1<<63 - 1, nil},
		{"9223372036854775808", 0, errRange},
		{"1.0", 0, errNotInteger},
		{"1e3", 0, errNotInteger},
	}
	for _, c := range ints {
		v, _ := Parse([]byte(c.lit))
		n, err := v.Int64()
		if n != c.want || err != c.err {
			t.Errorf("Int64(%s) = %d, %v; want %d, %v", c.lit, n, err, c.want, c.err)
		}
	}
	floats := []struct {
		lit  string
		want float64
		err  error
	}{
		{"1.5e3", 1500, nil},
		{"-0.25", -0.25, nil},
		{"1e400", 0, errRange},
		{"1e-400", 0, nil}, // underflow rounds to zero; not an error
	}
	for _, c := range floats {
		v, _ := Parse([]byte(c.lit))
		f, err := v.Float64()
		if f != c.want || err != c.err {
			t.Errorf("Float64(%s) = %g, %v; want %g, %v", c.lit, f, err, c.want, c.err)
		}
	}
	if _, err := (Value{kind: KindString, text: "1"}).Int64(); err == nil {
		t.Error("Int64 of a string succeeded")
	}
}

// Documents that encoding/json accepts by resolving them silently are
// refused: a reader that takes the first duplicate and one that takes the
// last would see two different tokens in one document.
func TestRefusesWhatReadersResolveDifferently(t *testing.T) {
	many := `{`
	for i := range 40 {
		many += `"k` + strconv.Itoa(i) + `":1,`
	}
	for _, c := range []struct {
		in   string
		want error
	}{
		{`{"iss":"a","iss":"b"}`, ErrDuplicateName},
		{`{"x":{"alg":"RS256","alg":"none"}}`, ErrDuplicateName},
		{many + `"k3":2}`, ErrDuplicateName},
		{many + `"k39":2}`, ErrDuplicateName},
		{`[{"a":1},{"a":1}]`, nil},
		{`{"a":{"b":1},"c":{"b":1}}`, nil},
		{many + `"last":2}`, nil},
		{"\"a\xffb\"", ErrInvalidUTF8},
		{"\"\xed\xa0\x80\"", ErrInvalidUTF8}, // an encoded surrogate
		{`"\ud83d"`, ErrInvalidUTF8},
		{`"\ude00x"`, ErrInvalidUTF8},
		{`"\ud83d\u0041"`, ErrInvalidUTF8},
		{`"\ud83d\ud83d\ude00"`, ErrInvalidUTF8},
		{`{"\ud800":1}`, ErrInvalidUTF8},
	} {
		_, err := Parse([]byte(c.in))
		if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("Parse(%.60q) = %v, want %v", c.in, err, c.want)
		}
	}
}
