package idtoken

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestFormatTimeMatchesRFC3339(t *testing.T) {
	check := func(tm time.Time) {
		t.Helper()
		if got, want := formatTime(tm), tm.UTC().Format(time.RFC3339); got != want {
			t.Fatalf("formatTime(%d) = %s, want %s", tm.Unix(), got, want)
		}
	}
	for _, s := range []string{
		"1970-01-01T00:00:00Z", "1970-12-31T23:59:59Z", "1972-02-29T12:00:00Z",
		"2000-02-29T00:00:00Z", "2000-03-01T00:00:00Z", "2024-12-31T23:59:59Z",
		"2100-02-28T23:59:59Z", "2100-03-01T00:00:00Z", "2400-02-29T00:00:00Z",
		"9999-12-31T23:59:59Z", "1969-12-31T23:59:59Z", "1900-03-01T00:00:00Z",
		"0001-01-01T00:00:00Z",
	} {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		check(tm)
		check(tm.Add(500 * time.Millisecond)) // fractions are not written
		check(tm.In(time.FixedZone("X", 5*3600+1800)))
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200000; i++ {
		check(time.Unix(r.Int64N(maxUnixTime+1), 0))
	}
	for days := int64(-719162); days < 2932897; days += 7 { // years 1 to 9999
		check(time.Unix(days*86400+days%86400, 0))
	}
}
