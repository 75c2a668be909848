package jsonv

import (
	"unicode/utf16"
	"unicode/utf8"
)

// The parser's numbers and strings.

// number consumes -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *parser) number() error {
	if p.data[p.pos] == '-' {
		p.pos++
	}
	if p.pos < len(p.data) && p.data[p.pos] == '0' {
		p.pos++ // no more digits may follow a leading zero
	} else if err := p.digits(); err != nil {
		return err
	}
	if p.pos < len(p.data) && p.data[p.pos] == '.' {
		p.pos++
		if err := p.digits(); err != nil {
			return err
		}
	}
	if p.pos < len(p.data) && (p.data[p.pos] == 'e' || p.data[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.data) && (p.data[p.pos] == '+' || p.data[p.pos] == '-') {
			p.pos++
		}
		return p.digits()
	}
	return nil
}

// digits consumes one or more decimal digits.
func (p *parser) digits() error {
	start := p.pos
	for p.pos < len(p.data) && '0' <= p.data[p.pos] && p.data[p.pos] <= '9' {
		p.pos++
	}
	switch {
	case p.pos > start:
		return nil
	case p.pos == len(p.data):
		return ErrTruncated
	}
	return errInvalidChar
}

// str reads the rest of a string whose opening quote is consumed. Unlike
// encoding/json, which repairs them to U+FFFD, it refuses invalid UTF-8 and
// unpaired surrogate escapes (ErrInvalidUTF8).
func (p *parser) str() (string, error) {
	start := p.pos
	// Most strings need no unescaping and no repair: return them as they are.
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		if c == '"' {
			p.pos++
			return string(p.data[start : p.pos-1]), nil
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			break
		}
		p.pos++
	}
	b := append([]byte(nil), p.data[start:p.pos]...)
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			return string(b), nil
		case c < 0x20:
			return "", errControlChar
		case c == '\\':
			var err error
			if b, err = p.escape(b); err != nil {
				return "", err
			}
		case c < utf8.RuneSelf:
			b = append(b, c)
			p.pos++
		default:
			r, size := utf8.DecodeRune(p.data[p.pos:])
			if r == utf8.RuneError && size == 1 {
				return "", ErrInvalidUTF8
			}
			b = append(b, p.data[p.pos:p.pos+size]...)
			p.pos += size
		}
	}
	return "", ErrTruncated
}

// escape decodes the escape sequence at p.pos and appends it to b.
func (p *parser) escape(b []byte) ([]byte, error) {
	if p.pos+1 == len(p.data) {
		return b, ErrTruncated
	}
	p.pos++
	c := p.data[p.pos]
	p.pos++
	switch c {
	case '"', '\\', '/':
		return append(b, c), nil
	case 'b':
		return append(b, '\b'), nil
	case 'f':
		return append(b, '\f'), nil
	case 'n':
		return append(b, '\n'), nil
	case 'r':
		return append(b, '\r'), nil
	case 't':
		return append(b, '\t'), nil
	case 'u':
		r, err := p.hex4()
		if err != nil {
			return b, err
		}
		if utf16.IsSurrogate(r) {
			if r = p.lowSurrogate(r); r == utf8.RuneError {
				return b, ErrInvalidUTF8
			}
		}
		return utf8.AppendRune(b, r), nil
	}
	p.pos--
	return b, errInvalidEsc
}

// lowSurrogate completes a surrogate pair when a matching \u escape follows;
// otherwise it returns U+FFFD, which str refuses.
func (p *parser) lowSurrogate(high rune) rune {
	if p.pos+6 <= len(p.data) && p.data[p.pos] == '\\' && p.data[p.pos+1] == 'u' {
		save := p.pos
		p.pos += 2
		if low, err := p.hex4(); err == nil {
			if r := utf16.DecodeRune(high, low); r != utf8.RuneError {
				return r
			}
		}
		p.pos = save
	}
	return utf8.RuneError
}

// hex4 reads the four hex digits of a \u escape.
func (p *parser) hex4() (rune, error) {
	var r rune
	for i := 0; i < 4; i++ {
		if p.pos == len(p.data) {
			return 0, ErrTruncated
		}
		c := p.data[p.pos]
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, errInvalidEsc
		}
		r = r<<4 | rune(c)
		p.pos++
	}
	return r, nil
}
