package flow

import "strconv"

// sprintf formats failf's messages as fmt.Sprintf does for the verbs the
// callers use: %s, %v and %q on strings, errors and Stringers, %d and %v
// on ints, and %%, without flags or widths. fmt is not used on purpose:
// its reflection-driven printer was about 270 kB of the Wasm plugin.
// format_test.go holds the output to fmt's. Other verbs and types come out
// as "%!verb(unsupported)", and missing arguments as fmt marks them.
func sprintf(format string, args ...any) string {
	b := make([]byte, 0, len(format)+32)
	next := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			b = append(b, format[i])
			continue
		}
		if i++; i == len(format) {
			return string(append(b, "%!(NOVERB)"...))
		}
		verb := format[i]
		switch {
		case verb == '%':
			b = append(b, '%')
		case next == len(args):
			b = append(append(append(b, "%!"...), verb), "(MISSING)"...)
		default:
			b = appendArg(b, verb, args[next])
			next++
		}
	}
	return string(b)
}

func appendArg(b []byte, verb byte, arg any) []byte {
	switch a := arg.(type) {
	case int:
		if verb == 'd' || verb == 'v' {
			return strconv.AppendInt(b, int64(a), 10)
		}
	case string:
		return appendText(b, verb, a)
	case error:
		return appendText(b, verb, a.Error())
	case interface{ String() string }:
		return appendText(b, verb, a.String())
	}
	return append(append(append(b, "%!"...), verb), "(unsupported)"...)
}

func appendText(b []byte, verb byte, s string) []byte {
	switch verb {
	case 's', 'v':
		return append(b, s...)
	case 'q':
		return strconv.AppendQuote(b, s)
	}
	return append(append(append(b, "%!"...), verb), "(unsupported)"...)
}
