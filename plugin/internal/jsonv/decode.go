package jsonv

import "errors"

// The Decode methods store a Value into a Go variable with encoding/json's
// rules, so that hand-written decoders behave like the struct tags they
// replace: null leaves strings, booleans and numbers as they are and sets
// slices to nil; any other kind than the expected one is an error.

func (v Value) mismatch(want string) error {
	return errors.New("expected " + want + ", found " + v.kind.String())
}

// inMember names the member an error came from; nested members make a
// path such as "provider: scopes: expected a string, found a number".
func inMember(name string, err error) error {
	return errors.New(name + ": " + err.Error())
}

func (v Value) decodeString(dst *string) error {
	switch v.kind {
	case KindNull:
	case KindString:
		*dst = v.text
	default:
		return v.mismatch("a string")
	}
	return nil
}

func (v Value) decodeBool(dst *bool) error {
	switch v.kind {
	case KindNull:
	case KindBool:
		*dst = v.text == "true"
	default:
		return v.mismatch("a boolean")
	}
	return nil
}

func (v Value) decodeInt64(dst *int64) error {
	if v.kind == KindNull {
		return nil
	}
	n, err := v.Int64()
	if err == nil {
		*dst = n
	}
	return err
}

func (v Value) decodeInt(dst *int) error {
	n := int64(*dst)
	if err := v.decodeInt64(&n); err != nil {
		return err
	}
	if int64(int(n)) != n {
		return errRange
	}
	*dst = int(n)
	return nil
}

// decodeStrings stores an array of strings; a null element becomes "".
func (v Value) decodeStrings(dst *[]string) error {
	switch v.kind {
	case KindNull:
		*dst = nil
		return nil
	case KindArray:
		s := make([]string, len(v.items))
		for i, item := range v.items {
			if err := item.decodeString(&s[i]); err != nil {
				return err
			}
		}
		*dst = s
		return nil
	}
	return v.mismatch("an array")
}
