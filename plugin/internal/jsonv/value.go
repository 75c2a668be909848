// Package jsonv reads and writes JSON without reflection. The plugin
// replaced encoding/json with it because encoding/json's reflection-driven
// codec made up some 600 KB of the 4.5 MB Wasm plugin. Payloads are
// described by Field tables, written by hand, one per type.
//
// Parse reads a whole document into a Value tree. It is strict RFC 8259: it
// accepts only documents encoding/json.Valid accepts, and refuses three
// kinds that encoding/json takes: nesting deeper than MaxDepth, an object
// that names a member twice (ErrDuplicateName) and strings that are not
// UTF-8 (ErrInvalidUTF8), which encoding/json silently resolves (last
// member wins, U+FFFD). Both are ways to make two readers of one document
// disagree, so an ID token, a token response or a discovery document that
// has them is refused. Numbers keep their literal text, so nothing is
// rounded until a caller asks for an int64 or a float64.
//
// Writer appends JSON, escaping strings byte for byte as encoding/json does
// by default, so the bytes the host sees did not change.
package jsonv

import (
	"errors"
	"strconv"
)

// Kind is the JSON type of a Value.
type Kind uint8

const (
	KindNull Kind = iota
	KindBool
	KindNumber
	KindString
	KindArray
	KindObject
)

var kindNames = [...]string{"null", "a boolean", "a number", "a string", "an array", "an object"}

// String names the kind for error messages: "a string", "an object".
func (k Kind) String() string { return kindNames[k] }

// Value is one parsed JSON value. The zero Value is null.
type Value struct {
	kind Kind
	// text is the decoded string, the literal of a number, or "true" or
	// "false".
	text    string
	items   []Value  // an array's elements
	members []Member // an object's members, in document order
}

// Member is one name/value pair of an object.
type Member struct {
	Name  string
	Value Value
}

// Number is a JSON number as Any returns it: the literal, unrounded, like
// encoding/json's Number.
type Number string

func (n Number) String() string { return string(n) }

func (v Value) Kind() Kind { return v.kind }

// Text is the value of a string, the literal of a number or boolean, and
// "" for the other kinds.
func (v Value) Text() string { return v.text }

// Items is an array's elements; nil for other kinds.
func (v Value) Items() []Value { return v.items }

// Members is an object's members in document order, duplicates included;
// nil for other kinds.
func (v Value) Members() []Member { return v.members }

// Get returns the object member called name; when the name repeats, the
// last one wins, as with encoding/json.
func (v Value) Get(name string) (Value, bool) {
	for i := len(v.members) - 1; i >= 0; i-- {
		if v.members[i].Name == name {
			return v.members[i].Value, true
		}
	}
	return Value{}, false
}

// Int64 is a number that is an integer within int64's range.
func (v Value) Int64() (int64, error) {
	if v.kind != KindNumber {
		return 0, v.mismatch("a number")
	}
	return Number(v.text).Int64()
}

// Float64 is a number, rounded to the nearest float64; out of range is an
// error.
func (v Value) Float64() (float64, error) {
	if v.kind != KindNumber {
		return 0, v.mismatch("a number")
	}
	return Number(v.text).Float64()
}

var (
	errNotInteger = errors.New("the number is not an integer")
	errRange      = errors.New("the number is out of range")
)

// Int64 fails for fractions, exponents and values beyond int64, as
// encoding/json does when it decodes into an int64.
func (n Number) Int64() (int64, error) {
	i, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil {
		if err.(*strconv.NumError).Err == strconv.ErrRange {
			return 0, errRange
		}
		return 0, errNotInteger
	}
	return i, nil
}

// Float64 fails for numbers beyond float64's range (1e400), never for
// ones that merely lose precision.
func (n Number) Float64() (float64, error) {
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return 0, errRange
	}
	return f, nil
}

// Any converts v to the Go values encoding/json produces with UseNumber:
// nil, bool, Number, string, []any and map[string]any (last duplicate
// wins). Its recursion is bounded: Values come from Parse, which limits
// their depth.
func (v Value) Any() any {
	switch v.kind {
	case KindBool:
		return v.text == "true"
	case KindNumber:
		return Number(v.text)
	case KindString:
		return v.text
	case KindArray:
		a := make([]any, len(v.items))
		for i, item := range v.items {
			a[i] = item.Any()
		}
		return a
	case KindObject:
		m := make(map[string]any, len(v.members))
		for _, mb := range v.members {
			m[mb.Name] = mb.Value.Any()
		}
		return m
	}
	return nil
}
