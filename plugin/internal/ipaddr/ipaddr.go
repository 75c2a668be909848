// Package ipaddr reads IP address literals as net/netip.ParseAddr does,
// for the URL parser (bracketed IPv6 hosts) and the loopback check of
// endpoint URLs.
//
// net/netip is not used on purpose: its Addr interns zones with package
// unique, which brings weak pointers and cleanup queues into the Wasm
// plugin, about 130 kB in all for two yes-or-no questions. The parsing code
// is net/netip's (Go 1.26, Copyright The Go Authors, BSD licence in LICENSE) with the
// error messages dropped; ipaddr_test.go holds it to net/netip.
package ipaddr

// Parse reads an IPv4 address in dotted decimal form or an IPv6 address,
// which may carry a non-empty zone after '%'. IPv4 comes back mapped into
// IPv6 (::ffff:a.b.c.d) with is4 set; the zone is dropped.
func Parse(s string) (ip [16]byte, is4, ok bool) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '.':
			ip[10], ip[11] = 0xff, 0xff
			return ip, true, parseIPv4Fields(s, 0, len(s), ip[12:])
		case ':':
			ip, ok = parseIPv6(s)
			return ip, false, ok
		case '%':
			return ip, false, false
		}
	}
	return ip, false, false
}

// IsLoopback reports whether s is a loopback address, 127.0.0.0/8 or ::1,
// an IPv4-mapped IPv6 address counting as the IPv4 address it maps: what
// netip.ParseAddr(s) and then Unmap().IsLoopback() decide.
func IsLoopback(s string) bool {
	ip, _, ok := Parse(s)
	if !ok {
		return false
	}
	if [12]byte(ip[:12]) == [12]byte{10: 0xff, 11: 0xff} {
		return ip[12] == 127
	}
	return ip == [16]byte{15: 1}
}

// parseIPv4Fields reads in[off:end] into the four bytes of fields.
func parseIPv4Fields(in string, off, end int, fields []uint8) bool {
	var val, pos int
	var digLen int // number of digits in current octet
	s := in[off:end]
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			if digLen == 1 && val == 0 {
				return false // an octet with a leading zero
			}
			val = val*10 + int(s[i]) - '0'
			digLen++
			if val > 255 {
				return false
			}
		} else if s[i] == '.' {
			// .1.2.3, 1.2.3. and 1..2.3
			if i == 0 || i == len(s)-1 || s[i-1] == '.' {
				return false
			}
			// 1.2.3.4.5
			if pos == 3 {
				return false
			}
			fields[pos] = uint8(val)
			pos++
			val = 0
			digLen = 0
		} else {
			return false
		}
	}
	if pos < 3 {
		return false
	}
	fields[3] = uint8(val)
	return true
}

func parseIPv6(in string) (ip [16]byte, ok bool) {
	s := in

	// Split off the zone, which must not be empty when present.
	zone := ""
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			s, zone = s[:i], s[i+1:]
			if zone == "" {
				return ip, false
			}
			break
		}
	}

	ellipsis := -1 // position of ellipsis in ip

	// Might have leading ellipsis
	if len(s) >= 2 && s[0] == ':' && s[1] == ':' {
		ellipsis = 0
		s = s[2:]
		// Might be only ellipsis
		if len(s) == 0 {
			return ip, true
		}
	}

	// Loop, parsing hex numbers followed by colon.
	i := 0
	for i < 16 {
		off := 0
		acc := uint32(0)
		for ; off < len(s); off++ {
			c := s[off]
			if c >= '0' && c <= '9' {
				acc = (acc << 4) + uint32(c-'0')
			} else if c >= 'a' && c <= 'f' {
				acc = (acc << 4) + uint32(c-'a'+10)
			} else if c >= 'A' && c <= 'F' {
				acc = (acc << 4) + uint32(c-'A'+10)
			} else {
				break
			}
			if off > 3 || acc > 0xffff {
				return ip, false // more than 4 digits in a group
			}
		}
		if off == 0 {
			return ip, false // no digits
		}

		// If followed by dot, might be in trailing IPv4.
		if off < len(s) && s[off] == '.' {
			if ellipsis < 0 && i != 12 || i+4 > 16 {
				return ip, false // not in the last 32 bits
			}
			end := len(in)
			if len(zone) > 0 {
				end -= len(zone) + 1
			}
			if !parseIPv4Fields(in, end-len(s), end, ip[i:i+4]) {
				return ip, false
			}
			s = ""
			i += 4
			break
		}

		// Save this 16-bit chunk.
		ip[i] = byte(acc >> 8)
		ip[i+1] = byte(acc)
		i += 2

		// Stop at end of string.
		s = s[off:]
		if len(s) == 0 {
			break
		}

		// Otherwise must be followed by colon and more.
		if s[0] != ':' || len(s) == 1 {
			return ip, false
		}
		s = s[1:]

		// Look for ellipsis.
		if s[0] == ':' {
			if ellipsis >= 0 { // already have one
				return ip, false
			}
			ellipsis = i
			s = s[1:]
			if len(s) == 0 { // can be at end
				break
			}
		}
	}

	// Must have used entire string.
	if len(s) != 0 {
		return ip, false
	}

	// If didn't parse enough, expand ellipsis.
	if i < 16 {
		if ellipsis < 0 {
			return ip, false // too short
		}
		n := 16 - i
		for j := i - 1; j >= ellipsis; j-- {
			ip[j+n] = ip[j]
		}
		clear(ip[ellipsis : ellipsis+n])
	} else if ellipsis >= 0 {
		return ip, false // the :: must stand for at least one group
	}
	return ip, true
}
