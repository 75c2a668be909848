package discovery

import (
	"net/url"
	"testing"
)

// FuzzParse: any document; no panic, and an accepted one names the
// expected issuer and only https (or loopback http) endpoints.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"issuer":"https://idp.example","authorization_endpoint":"https://idp.example/a","token_endpoint":"https://idp.example/t","jwks_uri":"https://idp.example/k"}`))
	f.Add([]byte(`{"issuer":"https://evil.example","authorization_endpoint":"https://idp.example/a","token_endpoint":"https://idp.example/t"}`))
	f.Add([]byte(`{"issuer":"https://idp.example","authorization_endpoint":"http://idp.example/a","token_endpoint":"https://idp.example/t"}`))
	f.Add([]byte(`{"issuer":"https://idp.example","code_challenge_methods_supported":[],"authorization_endpoint":"https://idp.example/a","token_endpoint":"https://idp.example/t"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		md, err := Parse(body, "https://idp.example")
		if err != nil {
			return
		}
		if md.Issuer != "https://idp.example" {
			t.Fatalf("accepted issuer %q", md.Issuer)
		}
		for _, e := range []string{md.AuthorizationEndpoint, md.TokenEndpoint, md.JWKSURI} {
			if e == "" {
				continue
			}
			u, perr := url.Parse(e)
			if perr != nil || (u.Scheme != "https" && !(u.Scheme == "http" && (u.Hostname() == "localhost" || u.Hostname() == "127.0.0.1" || u.Hostname() == "::1"))) {
				t.Fatalf("accepted endpoint %q", e)
			}
		}
	})
}
