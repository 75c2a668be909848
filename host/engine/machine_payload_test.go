package engine

import (
	"context"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/host/loopback"
	"github.com/wasmlogin/wasmlogin/internal/testop"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// runMachineFlows is runFlows' part for client credentials, token
// exchange and userinfo: each succeeds once (so the success shapes are
// checked) and fails once. user is the signed-in native client's profile;
// it is left signed in.
func runMachineFlows(t *testing.T, inst *Instance, op *testop.OP, user api.ProfileRef) {
	ctx := context.Background()
	if _, err := inst.Userinfo(ctx, user); err != nil {
		t.Fatal(err)
	}
	svc := api.ProfileRef{Profile: "svc", Provider: &api.Provider{Issuer: op.Issuer,
		ClientID: testop.ServiceClientID, ClientSecret: testop.ServiceClientSecret}}
	if _, err := inst.ClientCredentials(ctx, api.ClientCredentialsInput{ProfileRef: svc}); err != nil {
		t.Fatal(err)
	}
	if _, err := inst.Logout(ctx, api.ProfileRef{Profile: "svc"}); err != nil { // a revocation_note
		t.Fatal(err)
	}
	inst.ClientCredentials(ctx, api.ClientCredentialsInput{ProfileRef: svc, AuthMethod: "none"})

	// The exchanging client must be confidential: sign the web client in.
	web := &api.Provider{Issuer: op.Issuer, ClientID: testop.WebClientID, ClientSecret: testop.WebClientSecret,
		Scopes: []string{"openid"}, ExtraAuthParams: map[string]string{"prompt": "login"}}
	l, err := loopback.Listen(loopback.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	begun, err := inst.LoginBegin(ctx, api.LoginBeginInput{ProfileRef: api.ProfileRef{Profile: "web", Provider: web},
		RedirectURI: l.RedirectURI(), OpenBrowser: true})
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := l.Wait(wctx, func(cb string) loopback.Verdict {
		if _, err := inst.LoginComplete(ctx, api.LoginCompleteInput{FlowID: begun.FlowID, CallbackURL: cb}); err != nil {
			t.Error(err)
		}
		return loopback.Verdict{Done: true, Page: loopback.Page{Success: true}}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := inst.TokenExchange(ctx, api.TokenExchangeInput{ProfileRef: api.ProfileRef{Profile: "web"},
		SubjectProfile: user.Profile, SubjectTokenType: "refresh_token", RequestedTokenType: "access_token",
		Audience: []string{"a"}}); err != nil {
		t.Fatal(err)
	}
	inst.TokenExchange(ctx, api.TokenExchangeInput{ProfileRef: api.ProfileRef{Profile: "web"}})
}
