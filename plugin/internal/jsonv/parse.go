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

	// ErrDuplicateName: an object names one member twice. RFC 8259 4 leaves
	// the meaning open and parsers differ (first wins, last wins), which is
	// how a claim or an endpoint can be smuggled past one reader and into
	// another; RFC 7515 4 lets a JWS parser refuse such a header, and this
	// parser refuses it everywhere.
	ErrDuplicateName = errors.New("an object names a member twice")
	// ErrInvalidUTF8: a string holds bytes that are not UTF-8, or a \u
	// escape of an unpaired surrogate (RFC 8259 8.1, 8.2). Repairing them
	// would let two different inputs read as one string.
	ErrInvalidUTF8 = errors.New("a string is not valid UTF-8")

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
	// names holds, per nesting level, the member names of a large open
	// object (see hasMember); nil for small ones.
	names []map[string]struct{}
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
					p.forgetNames(len(open) - 1)
					if err := p.memberName(&open[len(open)-1], len(open)-1); err != nil {
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
					if err := p.memberName(top, len(open)-1); err != nil {
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

// memberName reads `"name" :` and starts a member of obj, the open object
// at nesting level depth, with it.
func (p *parser) memberName(obj *Value, depth int) error {
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
	if p.hasMember(obj, depth, name) {
		return ErrDuplicateName
	}
	obj.members = append(obj.members, Member{Name: name})
	return nil
}

// hasMember reports whether obj, the open object at level depth, already
// has a member name. Objects in OAuth documents have a few dozen members;
// past that a set keeps a hostile document with many members from costing
// quadratic time.
func (p *parser) hasMember(obj *Value, depth int, name string) bool {
	const scanLimit = 32
	if len(obj.members) <= scanLimit {
		for _, m := range obj.members {
			if m.Name == name {
				return true
			}
		}
		return false
	}
	set := p.names[depth]
	if set == nil {
		set = make(map[string]struct{}, 2*len(obj.members))
		for _, m := range obj.members {
			set[m.Name] = struct{}{}
		}
		p.names[depth] = set
	}
	_, seen := set[name]
	set[name] = struct{}{}
	return seen
}

// forgetNames starts level depth afresh for a newly opened object.
func (p *parser) forgetNames(depth int) {
	for len(p.names) <= depth {
		p.names = append(p.names, nil)
	}
	p.names[depth] = nil
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
