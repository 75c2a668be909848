package url

import (
	"math/rand/v2"
	neturl "net/url"
	"reflect"
	"strings"
	"testing"
)

// Everything here is held to net/url: the parsed fields, the methods the
// plugin calls and the error texts, except the reason after "invalid host:"
// for a bracketed host that is not an IP address (net/url quotes net/netip
// there).

var urlSeeds = []string{
	"", "*", "http://a.example", "https://a.example/", "https://a.example:443/p?q=1#f", "HTTPS://A.example",
	"http://127.0.0.1:8080/cb?code=x&state=y", "http://[::1]:53682/callback", "http://[::1%25lo0]/", "http://[fe80::1%25en0]:8080/",
	"http://[1.2.3.4]/", "http://[::ffff:1.2.3.4]/", "http://[::1/", "http://a[::1]/", "http://[::1]x/", "http://[::1]:x/",
	"http://[zz]/", "http://[%41]/", "http://[::1%25%00]/", "http://[::1%25%20]/", "http://[::1%25]/",
	"http://user:pass@host/", "http://user@host/", "http://us%zzer@host/", "http://u:p@ss@host/", "http://a b@host/",
	"http://host:port/", "http://host:1:2/", "postgres://h1:1,h2:2/db", "http://ho%41st/", "http://ho%c3%a9st/", "http://ho st/",
	"https://a.example/%2f%2F/x", "https://a.example/a%zz", "https://a.example/p#frag%20x", "https://a.example/p#%zz",
	"https://a.example/p?", "https://a.example/p??", "https://a.example/p?a?b", "mailto:joe@example.com", "urn:ietf:rfc:3986",
	"//host/path", "///path", "/rel/path", "rel/path", "rel:path", "./rel:path", "1http://x", ":foo", "http:", "http:/x",
	"http://\x00/", "http://a.example/\x7f", "HtTp://a.example/?x=%20+y", "https://a.example#", "https://a.example/?#",
	"https://a.example/;a;b", "http://localhost:53682/?code=a%26b&state=%3D&iss=https%3A%2F%2Fidp", "https://a.example:/",
	"https://[::1]:/", "https://[::1]:443:443/", "x://[::1]:a", "https://üñí.example/", "https://a.example/ü",
}

func sameURL(t *testing.T, raw string) {
	t.Helper()
	want, wantErr := neturl.Parse(raw)
	got, err := Parse(raw)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("Parse(%q): error %v, net/url's %v", raw, err, wantErr)
	}
	if err != nil {
		if err.Error() != wantErr.Error() && !strings.Contains(wantErr.Error(), "invalid host: ParseAddr(") {
			t.Fatalf("Parse(%q): error %q, net/url's %q", raw, err, wantErr)
		}
		return
	}
	type view struct {
		Scheme, Opaque, Host, Path, RawPath, Fragment, RawFragment, RawQuery string
		ForceQuery, OmitHost, HasUser, PasswordSet                           bool
		Username, Password, Hostname, Port, EscapedPath                      string
		IsAbs                                                                bool
		Query                                                                map[string][]string
	}
	gotPassword, gotSet := got.User.Password()
	wantPassword, wantSet := want.User.Password()
	g := view{got.Scheme, got.Opaque, got.Host, got.Path, got.RawPath, got.Fragment, got.RawFragment, got.RawQuery,
		got.ForceQuery, got.OmitHost, got.User != nil, gotSet, got.User.Username(), gotPassword,
		got.Hostname(), got.Port(), got.EscapedPath(), got.IsAbs(), got.Query()}
	w := view{want.Scheme, want.Opaque, want.Host, want.Path, want.RawPath, want.Fragment, want.RawFragment, want.RawQuery,
		want.ForceQuery, want.OmitHost, want.User != nil, wantSet, want.User.Username(), wantPassword,
		want.Hostname(), want.Port(), want.EscapedPath(), want.IsAbs(), want.Query()}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("Parse(%q):\n got %+v\nwant %+v", raw, g, w)
	}
}

func sameQuery(t *testing.T, q string) {
	t.Helper()
	got, err := ParseQuery(q)
	want, wantErr := neturl.ParseQuery(q)
	if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
		t.Fatalf("ParseQuery(%q): error %v, net/url's %v", q, err, wantErr)
	}
	if !reflect.DeepEqual(map[string][]string(got), map[string][]string(want)) {
		t.Fatalf("ParseQuery(%q) = %v, net/url's %v", q, got, want)
	}
	if g, w := got.Encode(), want.Encode(); g != w {
		t.Fatalf("Encode of %q = %q, net/url's %q", q, g, w)
	}
	if g, w := QueryEscape(q), neturl.QueryEscape(q); g != w {
		t.Fatalf("QueryEscape(%q) = %q, net/url's %q", q, g, w)
	}
	if g, gerr := QueryUnescape(q); true {
		w, werr := neturl.QueryUnescape(q)
		if g != w || (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error() {
			t.Fatalf("QueryUnescape(%q) = %q, %v; net/url's %q, %v", q, g, gerr, w, werr)
		}
	}
}

var querySeeds = []string{
	"", "a=1", "a=1&a=2&b", "a=1;b=2", "=x", "a==b", "%zz=1", "a=%zz", "a+b=c+d", "a%20b=%2B", "&&a=1&&",
	"ü=é", "a=1&b=%e2%82%ac", "code=x&state=y&iss=https%3A%2F%2Fidp.example", "x=" + strings.Repeat("y", 100),
	strings.Repeat("a=1&", 10000), strings.Repeat("a=1&", 9999) + "a=1",
}

func TestAgreesWithNetURL(t *testing.T) {
	for _, s := range urlSeeds {
		sameURL(t, s)
	}
	for _, q := range querySeeds {
		sameQuery(t, q)
	}
	// Random strings over the characters that matter to the parser.
	r := rand.New(rand.NewPCG(11, 12))
	const alphabet = "aAz09:/?#[]@%25+&=;.-_~!$'()*, \x00\x7fü:1fF"
	for range 100000 {
		b := make([]byte, r.IntN(30))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		s := string(b)
		sameURL(t, s)
		sameURL(t, "http://"+s)
		sameURL(t, "https://a.example/"+s)
		sameQuery(t, s)
	}
}

func TestValues(t *testing.T) {
	v := Values{"b": {"2"}, "a": {"1", "x y"}, "c&d": {"=&"}}
	w := neturl.Values{"b": {"2"}, "a": {"1", "x y"}, "c&d": {"=&"}}
	v.Set("e", "5")
	w.Set("e", "5")
	v.Add("b", "3")
	w.Add("b", "3")
	v.Del("c&d")
	w.Del("c&d")
	if v.Encode() != w.Encode() || v.Get("b") != w.Get("b") || v.Has("c&d") || !v.Has("e") || v.Get("zz") != "" {
		t.Errorf("Values: %q, net/url's %q", v.Encode(), w.Encode())
	}
	if (Values{}).Encode() != "" || Values(nil).Get("x") != "" {
		t.Error("empty Values")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range urlSeeds {
		f.Add(s)
	}
	for _, q := range querySeeds[:len(querySeeds)-2] {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sameURL(t, s)
		sameQuery(t, s)
	})
}
