package flow

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// sprintf must print exactly what fmt.Sprintf prints for every verb and
// argument type failf's callers use.
func TestSprintfMatchesFmt(t *testing.T) {
	args := []any{
		"", "plain", `quote " and \ backslash`, "tab\tnewline\n", "\x1b[31mred", "ünïcödé ✓", "\xff\xfe invalid",
		errors.New("an error: with text"), fmt.Errorf("wrapped: %w", errors.New(`"inner"`)),
		0, 7, -42, 1 << 40,
		90 * time.Second, // a Stringer
	}
	for _, arg := range args {
		verbs := []string{"%s", "%v", "%q"}
		if _, ok := arg.(int); ok {
			verbs = []string{"%d", "%v"}
		}
		for _, v := range verbs {
			format := "before " + v + " after"
			if got, want := sprintf(format, arg), fmt.Sprintf(format, arg); got != want {
				t.Errorf("sprintf(%q, %#v) = %q, want %q", format, arg, got, want)
			}
		}
	}
	for _, c := range []struct {
		format string
		args   []any
	}{
		{"no verbs", nil},
		{"100%% sure", nil},
		{"%s: %v; HTTP %d (%q)", []any{"what", errors.New("e"), 503, "x"}},
		{"%s%s%s", []any{"a", "b", "c"}},
		{"%q at the end", []any{"a"}},
		{"missing %s and %d", []any{"one"}},
		{"ends with %", nil},
	} {
		if got, want := sprintf(c.format, c.args...), fmt.Sprintf(c.format, c.args...); got != want {
			t.Errorf("sprintf(%q) = %q, want %q", c.format, got, want)
		}
	}
	if got := sprintf("%d", "text"); got != "%!d(unsupported)" {
		t.Errorf("a string for %%d gives %q", got)
	}
}
