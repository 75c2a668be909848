package flow

import (
	"net/url"
	"testing"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// FuzzCallback: any redirect URL; no panic, and a code is accepted only
// with the flow's exact state and, when the server promises it, its issuer.
func FuzzCallback(f *testing.F) {
	const state, issuer = "s-123", "https://idp.example"
	f.Add("http://127.0.0.1:5/callback?code=c&state=s-123&iss=https%3A%2F%2Fidp.example")
	f.Add("http://127.0.0.1:5/callback?code=c&state=s-123&state=x&iss=https://idp.example")
	f.Add("http://127.0.0.1:5/callback?error=access_denied&error_description=%3Cscript%3E&state=s-123&iss=https://idp.example")
	f.Add("http://127.0.0.1:5/callback?code=c&state=s-124")
	f.Add("%zz")
	pl := &pendingLogin{state: state, endpoints: endpoints{Issuer: issuer, IssParameter: true}}
	f.Fuzz(func(t *testing.T, raw string) {
		code, err := validateCallback(pl, raw)
		if err != nil {
			if err.Code == api.CodeServer && containsControl(err.Message) {
				t.Fatalf("server text reached the user unescaped: %q", err.Message)
			}
			return
		}
		u, perr := url.Parse(raw)
		if perr != nil {
			t.Fatalf("accepted an unparsable URL %q", raw)
		}
		q := u.Query()
		if perr != nil || code == "" || len(q["state"]) != 1 || q.Get("state") != state || q.Get("iss") != issuer {
			t.Fatalf("accepted %q (code %q)", raw, code)
		}
	})
}

func containsControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}
