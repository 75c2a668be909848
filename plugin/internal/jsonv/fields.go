package jsonv

// Field ties one object member to the Go variable behind it: a struct tag
// written as code. A payload's decoder and encoder share one []Field, so
// the two directions cannot drift apart. Tables are also much smaller in
// the Wasm plugin than a switch over member names.
type Field struct {
	name      string
	ptr       any
	omitEmpty bool
}

// Always is a member that is written even when empty. ptr is one of
// *string, *bool, *int, *int64, *[]string, *map[string]string,
// *map[string][]string or *map[string]any; []Field for a nested struct;
// or what Pointer returns.
func Always(name string, ptr any) Field { return Field{name, ptr, false} }

// OmitEmpty is a member left out when empty (zero, nil or of length zero),
// like encoding/json's omitempty.
func OmitEmpty(name string, ptr any) Field { return Field{name, ptr, true} }

// Pointer is the ptr of a Field for a pointer to a struct, nil when null
// or absent; fields describes the struct.
func Pointer[T any](p **T, fields func(*T) []Field) any { return pointer[T]{p, fields} }

type pointer[T any] struct {
	p      **T
	fields func(*T) []Field
}

// nested is implemented by pointer[T] for every T.
type nested interface {
	decode(v Value) error
	write(w *Writer)
	isNil() bool
}

func (o pointer[T]) isNil() bool { return *o.p == nil }

func (o pointer[T]) decode(v Value) error {
	if v.kind == KindNull {
		*o.p = nil
		return nil
	}
	if *o.p == nil {
		*o.p = new(T)
	}
	return v.DecodeFields(o.fields(*o.p))
}

func (o pointer[T]) write(w *Writer) {
	if *o.p == nil {
		w.Null()
		return
	}
	w.Object(o.fields(*o.p))
}

// DecodeFields decodes an object into fields; null leaves them as they are.
// Members that are not listed are ignored; a repeated one is decoded each
// time, so the last one wins.
func (v Value) DecodeFields(fields []Field) error {
	if v.kind == KindNull {
		return nil
	}
	if v.kind != KindObject {
		return v.mismatch("an object")
	}
	for _, m := range v.members {
		for _, f := range fields {
			if f.name == m.Name {
				if err := m.Value.decodeInto(f.ptr); err != nil {
					return inMember(m.Name, err)
				}
				break
			}
		}
	}
	return nil
}

func (v Value) decodeInto(ptr any) error {
	switch p := ptr.(type) {
	case *string:
		return v.decodeString(p)
	case *bool:
		return v.decodeBool(p)
	case *int:
		return v.decodeInt(p)
	case *int64:
		return v.decodeInt64(p)
	case *[]string:
		return v.decodeStrings(p)
	case *map[string]string:
		return decodeMap(v, p, Value.decodeString)
	case *map[string][]string:
		return decodeMap(v, p, Value.decodeStrings)
	case *map[string]any:
		return decodeMap(v, p, func(m Value, dst *any) error { *dst = m.Any(); return nil })
	case []Field:
		return v.DecodeFields(p)
	case nested:
		return p.decode(v)
	}
	panic("jsonv: a Field points to a type it cannot decode")
}

// decodeMap fills a map as encoding/json does: null makes it nil, {} an
// empty map, and members are added to a map that is already there.
func decodeMap[T any](v Value, dst *map[string]T, decode func(Value, *T) error) error {
	switch v.kind {
	case KindNull:
		*dst = nil
		return nil
	case KindObject:
	default:
		return v.mismatch("an object")
	}
	if *dst == nil {
		*dst = map[string]T{}
	}
	for _, m := range v.members {
		var t T
		err := decode(m.Value, &t)
		(*dst)[m.Name] = t
		if err != nil {
			return inMember(m.Name, err)
		}
	}
	return nil
}

// Object writes fields as an object, in their order.
func (w *Writer) Object(fields []Field) {
	w.BeginObject()
	for _, f := range fields {
		if !f.omitEmpty || !isEmpty(f.ptr) {
			w.Key(f.name).value(f.ptr)
		}
	}
	w.EndObject()
}

func (w *Writer) value(ptr any) {
	switch p := ptr.(type) {
	case *string:
		w.String(*p)
	case *bool:
		w.Bool(*p)
	case *int:
		w.Int(int64(*p))
	case *int64:
		w.Int(*p)
	case *[]string:
		w.Strings(*p)
	case *map[string]string:
		writeMap(w, *p, (*Writer).String)
	case *map[string][]string:
		writeMap(w, *p, (*Writer).Strings)
	case *map[string]any:
		writeMap(w, *p, (*Writer).Any)
	case []Field:
		w.Object(p)
	case nested:
		p.write(w)
	default:
		panic("jsonv: a Field points to a type it cannot encode")
	}
}

func isEmpty(ptr any) bool {
	switch p := ptr.(type) {
	case *string:
		return *p == ""
	case *bool:
		return !*p
	case *int:
		return *p == 0
	case *int64:
		return *p == 0
	case *[]string:
		return len(*p) == 0
	case *map[string]string:
		return len(*p) == 0
	case *map[string][]string:
		return len(*p) == 0
	case *map[string]any:
		return len(*p) == 0
	case nested:
		return p.isNil()
	}
	return false // a nested struct is never empty, as with encoding/json
}

// writeMap writes a map with its keys sorted, as encoding/json does; nil is
// null.
func writeMap[T any](w *Writer, m map[string]T, write func(*Writer, T)) {
	if m == nil {
		w.Null()
		return
	}
	w.BeginObject()
	for _, k := range sortedKeys(m) {
		write(w.Key(k), m[k])
	}
	w.EndObject()
}
