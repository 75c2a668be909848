package browser

import (
	"errors"
	"runtime"
	"strings"
)

// splitWords splits a BROWSER value into words the way a POSIX shell would
// for simple input: blanks separate words; 'single quotes' keep everything
// literal; "double quotes" keep everything except that \" \\ \$ and \`
// stand for the second character; outside quotes a backslash escapes the
// next character. No expansion of any kind happens. This covers values like
// `"/Applications/My Browser.app/..." --new-window` without running a shell.
//
// On Windows a backslash is an ordinary character, since it separates path
// components there (BROWSER="C:\Program Files\...").
func splitWords(s string) ([]string, error) {
	return splitWordsWith(s, runtime.GOOS != "windows")
}

func splitWordsWith(s string, backslashEscapes bool) ([]string, error) {
	var (
		words   []string
		cur     strings.Builder
		inWord  bool
		escaped bool // previous character was an escaping backslash
		quote   rune // 0, '\'' or '"'
	)
	for _, r := range s {
		switch {
		case escaped && quote == '"':
			if !strings.ContainsRune("\"\\$`", r) {
				cur.WriteRune('\\') // not an escape inside double quotes
			}
			cur.WriteRune(r)
			escaped = false
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case quote == '\'':
			if r == '\'' {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case quote == '"':
			switch {
			case r == '"':
				quote = 0
			case r == '\\' && backslashEscapes:
				escaped = true
			default:
				cur.WriteRune(r)
			}
		case r == '\\' && backslashEscapes:
			escaped, inWord = true, true
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t' || r == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, errors.New("unterminated quote")
	}
	if escaped {
		return nil, errors.New("trailing backslash")
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
