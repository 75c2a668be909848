package jsonv

import (
	"errors"
	"strconv"
)

// MaxDepth is how deeply Parse lets arrays and objects nest. What the
// plugin reads nests a few levels; the bound keeps a hostile document from
// costing more than its size, and is the one place Parse refuses what
// encoding/json (which allows 10000) accepts.
const MaxDepth = 64

// SyntaxError says where and why the input is not one JSON value. Err is
// ErrTruncated, ErrTrailingData, ErrTooDeep or another reason.
type SyntaxError struct {
	Offset int // in bytes, from the start of the input
	Err    error
}

func (e *SyntaxError) Error() string {
	return "json: " + e.Err.Error() + " at byte " + strconv.Itoa(e.Offset)
}

func (e *SyntaxError) Unwrap() error { return e.Err }

var (
	// ErrTruncated: the input ended inside the value.
	ErrTruncated = errors.New("unexpected end of input")
	// ErrTrailingData: a whole value was read, but more than whitespace follows.
	ErrTrailingData = errors.New("data after the value")
	// ErrTooDeep: arrays and objects nest more than the limit.
	ErrTooDeep = errors.New("nested too deeply")

	errInvalidChar  = errors.New("invalid character")
	errControlChar  = errors.New("control character in a string")
	errInvalidEsc   = errors.New("invalid escape in a string")
	errExpectedName = errors.New("expected a member name")
	errExpectedSep  = errors.New("expected a comma or a closing bracket")
)

// Parse reads data, which must be exactly one JSON value with optional
// whitespace around it, nested at most MaxDepth levels.
func Parse(data []byte) (Value, error) { return ParseDepth(data, MaxDepth) }

// ParseDepth is Parse with another nesting limit, for documents that wrap
// values which were themselves parsed with MaxDepth.
func ParseDepth(data []byte, maxDepth int) (Value, error) {
	p := parser{data: data}
	v, err := p.document(maxDepth)
	if err != nil {
		return Value{}, &SyntaxError{Offset: p.pos, Err: err}
	}
	return v, nil
}

type parser struct {
	data []byte
	pos  int
}

// document keeps the open arrays and objects on an explicit stack instead
// of recursing, so nesting costs heap memory, bounded by maxDepth. An open
// object's last member is the one waiting for its value.
func (p *parser) document(maxDepth int) (Value, error) {
	var open []Value
	for {
		c, err := p.next()
		if err != nil {
			return Value{}, err
		}
		var v Value
		if c == '[' || c == '{' {
			if len(open) == maxDepth {
				return Value{}, ErrTooDeep
			}
			p.pos++
			v.kind = KindArray
			if c == '{' {
				v.kind = KindObject
			}
			empty, err := p.closes(v.kind)
			if err != nil {
				return Value{}, err
			}
			if !empty {
				open = append(open, v)
				if v.kind == KindObject {
					if err := p.memberName(&open[len(open)-1]); err != nil {
						return Value{}, err
					}
				}
				continue // to the first element or member value
			}
		} else if v, err = p.scalar(c); err != nil {
			return Value{}, err
		}
		// v is complete: put it in its container, closing containers that end.
		for {
			if len(open) == 0 {
				return v, p.end()
			}
			top := &open[len(open)-1]
			if top.kind == KindArray {
				top.items = append(top.items, v)
			} else {
				top.members[len(top.members)-1].Value = v
			}
			c, err := p.next()
			if err != nil {
				return Value{}, err
			}
			if c == ',' {
				p.pos++
				if top.kind == KindObject {
					if err := p.memberName(top); err != nil {
						return Value{}, err
					}
				}
				break // to the next value
			}
			if c != closer(top.kind) {
				return Value{}, errExpectedSep
			}
			p.pos++
			v = *top
			open = open[:len(open)-1]
		}
	}
}

func closer(k Kind) byte {
	if k == KindArray {
		return ']'
	}
	return '}'
}

// closes consumes the closing bracket of an empty array or object.
func (p *parser) closes(k Kind) (bool, error) {
	c, err := p.next()
	if err != nil || c != closer(k) {
		return false, err
	}
	p.pos++
	return true, nil
}

// memberName reads `"name" :` and starts a member of obj with it.
func (p *parser) memberName(obj *Value) error {
	c, err := p.next()
	if err != nil {
		return err
	}
	if c != '"' {
		return errExpectedName
	}
	p.pos++
	name, err := p.str()
	if err != nil {
		return err
	}
	if c, err = p.next(); err != nil {
		return err
	}
	if c != ':' {
		return errInvalidChar
	}
	p.pos++
	obj.members = append(obj.members, Member{Name: name})
	return nil
}

// next skips whitespace and returns the byte there without consuming it.
func (p *parser) next() (byte, error) {
	for ; p.pos < len(p.data); p.pos++ {
		switch c := p.data[p.pos]; c {
		case ' ', '\t', '\n', '\r':
		default:
			return c, nil
		}
	}
	return 0, ErrTruncated
}

// end accepts only whitespace after the top-level value.
func (p *parser) end() error {
	if _, err := p.next(); err == nil {
		return ErrTrailingData
	}
	return nil
}

func (p *parser) scalar(c byte) (Value, error) {
	switch {
	case c == '"':
		p.pos++
		s, err := p.str()
		return Value{kind: KindString, text: s}, err
	case c == 't':
		return Value{kind: KindBool, text: "true"}, p.literal("true")
	case c == 'f':
		return Value{kind: KindBool, text: "false"}, p.literal("false")
	case c == 'n':
		return Value{}, p.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		start := p.pos
		err := p.number()
		return Value{kind: KindNumber, text: string(p.data[start:p.pos])}, err
	}
	return Value{}, errInvalidChar
}

func (p *parser) literal(word string) error {
	for i := 0; i < len(word); i++ {
		if p.pos == len(p.data) {
			return ErrTruncated
		}
		if p.data[p.pos] != word[i] {
			return errInvalidChar
		}
		p.pos++
	}
	return nil
}
