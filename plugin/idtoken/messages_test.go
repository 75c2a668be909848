package idtoken

import (
	"errors"
	"fmt"
	"testing"
)

// The messages built without fmt read as fmt built them before.
func TestMessagesMatchFmt(t *testing.T) {
	for _, list := range [][]string{{"a"}, {"cli", `q"uote`}, {"", "x y", "ü\n"}} {
		if got, want := quoteList(list), fmt.Sprintf("%q", list); got != want {
			t.Errorf("quoteList(%#v) = %s, want %s", list, got, want)
		}
	}
	for _, c := range []struct {
		got  error
		want error
	}{
		{&unknownKeyError{"(no key for RS256)"}, fmt.Errorf("%w (no key for %s)", ErrUnknownKey, "RS256")},
		{&unknownKeyError{"(kid \"k\\n\")"}, fmt.Errorf("%w (kid %q)", ErrUnknownKey, "k\n")},
	} {
		if c.got.Error() != c.want.Error() || !errors.Is(c.got, ErrUnknownKey) {
			t.Errorf("%q, want %q wrapping ErrUnknownKey", c.got, c.want)
		}
	}
}
