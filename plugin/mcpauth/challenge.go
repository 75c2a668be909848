// Package mcpauth holds the decisions of the MCP authorization profile that
// need no network: reading a protected MCP server's challenge, naming its
// canonical resource and profile, where its metadata lives, whether a
// protected resource metadata document speaks for it, and which scopes to
// ask for. Package flow runs the steps; the Go host imports the same
// functions to resolve a profile name and to keep its sandbox in step with
// what the plugin may fetch, so the two cannot disagree.
package mcpauth

import "strings"

// Challenge is one challenge of a WWW-Authenticate field (RFC 9110 11.6.1):
// an auth scheme with its parameters. Parameter names are lowercase (they
// are case-insensitive); Token68 is the scheme's token68 form, if any.
type Challenge struct {
	Scheme  string
	Params  map[string]string
	Token68 string
}

// Bearer is what an MCP client acts on in a Bearer challenge (RFC 6750 3,
// RFC 9728 5.1).
type Bearer struct {
	// ResourceMetadata is the URL of the server's protected resource
	// metadata, when it named one.
	ResourceMetadata string
	// Scope lists the scopes the server says the request needs.
	Scope []string
	// Error is the RFC 6750 3.1 error code: invalid_token,
	// insufficient_scope, invalid_request, or "".
	Error string
}

// ParseBearer reads every WWW-Authenticate value of one response and returns
// the first Bearer challenge, or false when there is none. A value that
// cannot be parsed further is read as far as it goes: a server's odd
// quoting must not hide a well-formed Bearer challenge beside it.
func ParseBearer(values []string) (Bearer, bool) {
	for _, v := range values {
		for _, c := range ParseChallenges(v) {
			if !strings.EqualFold(c.Scheme, "Bearer") {
				continue
			}
			b := Bearer{ResourceMetadata: c.Params["resource_metadata"], Error: c.Params["error"]}
			if scope := strings.Fields(c.Params["scope"]); len(scope) > 0 {
				b.Scope = scope
			}
			return b, true
		}
	}
	return Bearer{}, false
}

// ParseChallenges splits one WWW-Authenticate field value into its
// challenges:
//
//	challenge  = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
//	auth-param = token BWS "=" BWS ( token / quoted-string )
//
// Challenges and parameters are both separated by commas, so a comma is
// followed by a new challenge exactly when a token follows it that is not
// then followed by "=". Empty list elements are allowed (RFC 9110 5.6.1).
// Parsing stops at the first thing that fits neither; what was read by then
// is kept. A parameter named twice keeps its first value (RFC 9110 11.2
// says each name appears once; the first is what a server meant).
func ParseChallenges(value string) []Challenge {
	s := scanner{in: value}
	var out []Challenge
	for {
		s.skipSeparators()
		scheme := s.token()
		if scheme == "" {
			return out
		}
		c := Challenge{Scheme: scheme, Params: map[string]string{}}
		if s.spaces() > 0 {
			s.params(&c)
		}
		out = append(out, c)
		if !s.more() {
			return out
		}
	}
}

type scanner struct {
	in  string
	pos int
}

func (s *scanner) more() bool { return s.pos < len(s.in) }

func (s *scanner) peek() byte {
	if s.pos < len(s.in) {
		return s.in[s.pos]
	}
	return 0
}

// spaces skips optional whitespace (SP, HTAB) and says how much there was.
func (s *scanner) spaces() int {
	start := s.pos
	for s.more() && (s.peek() == ' ' || s.peek() == '\t') {
		s.pos++
	}
	return s.pos - start
}

// skipSeparators skips whitespace and commas between list elements.
func (s *scanner) skipSeparators() {
	for s.more() && (s.peek() == ' ' || s.peek() == '\t' || s.peek() == ',') {
		s.pos++
	}
}

// token reads an RFC 9110 5.6.2 token (tchar+).
func (s *scanner) token() string {
	start := s.pos
	for s.more() && isTchar(s.peek()) {
		s.pos++
	}
	return s.in[start:s.pos]
}

// params reads the parameters (or token68) of one challenge, up to the
// comma that starts the next challenge or the end.
func (s *scanner) params(c *Challenge) {
	if t, ok := s.token68(); ok {
		c.Token68 = t
		return
	}
	for {
		mark := s.pos
		name := s.token()
		if name == "" {
			return
		}
		s.spaces()
		if s.peek() != '=' {
			s.pos = mark // the next challenge's scheme
			return
		}
		s.pos++
		s.spaces()
		var value string
		if s.peek() == '"' {
			var ok bool
			if value, ok = s.quoted(); !ok {
				return
			}
		} else {
			value = s.token()
		}
		if key := strings.ToLower(name); !has(c.Params, key) {
			c.Params[key] = value
		}
		s.spaces()
		if s.peek() != ',' {
			if s.more() { // junk after a parameter: stop here
				s.pos = len(s.in)
			}
			return
		}
		for s.peek() == ',' || s.peek() == ' ' || s.peek() == '\t' {
			s.pos++
		}
	}
}

// token68 reads a token68 (RFC 9110 11.2) when that is what follows the
// scheme: its characters, then optional "=" padding, then the end or a
// comma. Anything else is left for params.
func (s *scanner) token68() (string, bool) {
	i := s.pos
	for i < len(s.in) && isToken68Char(s.in[i]) {
		i++
	}
	if i == s.pos {
		return "", false
	}
	j := i
	for j < len(s.in) && s.in[j] == '=' {
		j++
	}
	k := j
	for k < len(s.in) && (s.in[k] == ' ' || s.in[k] == '\t') {
		k++
	}
	if k < len(s.in) && s.in[k] != ',' {
		return "", false // "name=value ..." or "name = value": parameters
	}
	t := s.in[s.pos:j]
	s.pos = k
	return t, true
}

// quoted reads a quoted-string and undoes its quoted-pairs.
func (s *scanner) quoted() (string, bool) {
	s.pos++ // the opening quote
	var b strings.Builder
	for s.more() {
		ch := s.peek()
		s.pos++
		switch ch {
		case '"':
			return b.String(), true
		case '\\':
			if !s.more() {
				return "", false
			}
			b.WriteByte(s.peek())
			s.pos++
		default:
			b.WriteByte(ch)
		}
	}
	return "", false // unterminated
}

func has(m map[string]string, k string) bool {
	_, ok := m[k]
	return ok
}

func isTchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func isToken68Char(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~+/", c) >= 0
}
