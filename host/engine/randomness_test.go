package engine

import (
	"context"
	"testing"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// 1,000 flows give 1,000 distinct states, PKCE challenges and nonces: the
// guest's randomness is the OS's, not a stream that repeats.
func TestThousandFlowsDistinct(t *testing.T) {
	inst := newInstance(t, &Services{HTTP: &scriptedHTTP{answers: map[string]string{
		"/.well-known/openid-configuration": `{"issuer":"https://idp.example","authorization_endpoint":"https://idp.example/auth",
			"token_endpoint":"https://idp.example/token","jwks_uri":"https://idp.example/keys"}`}},
		Secrets: &mapStore{m: map[string]string{}}})
	p := &api.Provider{Issuer: "https://idp.example", ClientID: "cli", Scopes: []string{"openid"}}
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		b, err := inst.LoginBegin(context.Background(), api.LoginBeginInput{
			ProfileRef: api.ProfileRef{Provider: p}, RedirectURI: "http://127.0.0.1:1/callback"})
		if err != nil {
			t.Fatal(err)
		}
		q := mustParse(t, b.AuthorizationURL).Query()
		for _, k := range []string{"state", "code_challenge", "nonce"} {
			v := q.Get(k)
			if len(v) < 43 || seen[k+v] {
				t.Fatalf("flow %d: %s %q is short or repeats", i, k, v)
			}
			seen[k+v] = true
		}
		if seen["flow"+b.FlowID] {
			t.Fatalf("flow id repeats")
		}
		seen["flow"+b.FlowID] = true
	}
}
