package autologin

import "regexp"

var queryPart = regexp.MustCompile(`\?[^\s"']*`)

// Redact removes query strings from text a test browser prints: they carry
// authorization codes and state, which the program under test's own output
// (where the browser's stderr ends up) must never show.
func Redact(s string) string { return queryPart.ReplaceAllString(s, "?[query redacted]") }
