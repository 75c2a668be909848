package mcpauth

import (
	"reflect"
	"testing"
)

func TestParseBearer(t *testing.T) {
	cases := []struct {
		name   string
		values []string
		want   Bearer
		ok     bool
	}{
		{"the TypeScript SDK's form", []string{`Bearer error="invalid_token", error_description="Missing Authorization header", resource_metadata="http://localhost:3000/.well-known/oauth-protected-resource/mcp"`},
			Bearer{ResourceMetadata: "http://localhost:3000/.well-known/oauth-protected-resource/mcp", Error: "invalid_token"}, true},
		{"scope first, several scopes", []string{`Bearer scope="mcp:basic mcp:write", resource_metadata="https://r.example/prm", error="insufficient_scope"`},
			Bearer{ResourceMetadata: "https://r.example/prm", Scope: []string{"mcp:basic", "mcp:write"}, Error: "insufficient_scope"}, true},
		{"scheme and names in another case", []string{`bearer Resource_Metadata="https://r.example/prm", SCOPE=files`},
			Bearer{ResourceMetadata: "https://r.example/prm", Scope: []string{"files"}}, true},
		{"Bearer after another challenge in one value", []string{`Basic realm="simple, with a comma", Bearer scope="a", resource_metadata="https://r.example/prm"`},
			Bearer{ResourceMetadata: "https://r.example/prm", Scope: []string{"a"}}, true},
		{"Bearer in a second header", []string{`Negotiate`, `Bearer realm="x"`}, Bearer{}, true},
		{"escaped quote in a value", []string{`Bearer error_description="say \"no\"", scope="a\\b"`}, Bearer{Scope: []string{`a\b`}}, true},
		{"no spaces around commas and equals", []string{`Bearer scope = "a" ,resource_metadata="https://r.example/prm",error=invalid_token`},
			Bearer{ResourceMetadata: "https://r.example/prm", Scope: []string{"a"}, Error: "invalid_token"}, true},
		{"bare Bearer", []string{`Bearer`}, Bearer{}, true},
		{"a parameter named twice keeps the first", []string{`Bearer scope="a", scope="b"`}, Bearer{Scope: []string{"a"}}, true},
		{"unterminated quote keeps what came before", []string{`Bearer resource_metadata="https://r.example/prm", scope="a`},
			Bearer{ResourceMetadata: "https://r.example/prm"}, true},
		{"only Basic", []string{`Basic realm="x"`}, Bearer{}, false},
		{"none", nil, Bearer{}, false},
		{"empty", []string{""}, Bearer{}, false},
		{"Bearer with a token68 is still Bearer", []string{`Bearer abc123==`}, Bearer{}, true},
		{"Bearer after a token68 challenge", []string{`Other abc==, Bearer scope="z"`}, Bearer{Scope: []string{"z"}}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := ParseBearer(c.values)
			if ok != c.ok || !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %+v, %v; want %+v, %v", got, ok, c.want, c.ok)
			}
		})
	}
}

func TestParseChallengesSplitsList(t *testing.T) {
	got := ParseChallenges(`Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple", , Token abc.def==`)
	want := []Challenge{
		{Scheme: "Newauth", Params: map[string]string{"realm": "apps", "type": "1", "title": `Login to "apps"`}},
		{Scheme: "Basic", Params: map[string]string{"realm": "simple"}},
		{Scheme: "Token", Params: map[string]string{}, Token68: "abc.def=="},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}

// Whatever bytes a server sends, parsing ends without a panic.
func FuzzParseChallenges(f *testing.F) {
	f.Add(`Bearer scope="a", resource_metadata="https://x/y", error="insufficient_scope"`)
	f.Add(`Basic realm="a,b", Bearer x==, Other a=b,c="d\"e"`)
	f.Fuzz(func(t *testing.T, s string) {
		ParseChallenges(s)
		ParseBearer([]string{s})
	})
}
