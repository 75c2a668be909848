package engine

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/host/httpguard"
	"github.com/wasmlogin/wasmlogin/host/loopback"
	"github.com/wasmlogin/wasmlogin/internal/testop"
	"github.com/wasmlogin/wasmlogin/internal/testop/autologin"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// liars are verify_signature implementations a broken host might have.
var liars = map[string]func(api.VerifySignatureRequest) (bool, error){
	"accepts everything": func(api.VerifySignatureRequest) (bool, error) { return true, nil },
	"rejects everything": func(api.VerifySignatureRequest) (bool, error) { return false, nil },
}

// nativeProvider is op's public native client, with a refresh token.
func nativeProvider(op *testop.OP) *api.Provider {
	return &api.Provider{Issuer: op.Issuer, ClientID: testop.NativeClientID,
		Scopes: []string{"openid", "offline_access"}, ExtraAuthParams: map[string]string{"prompt": "login"}}
}

// signIn runs a real browser sign-in of the plugin in this host against op.
func signIn(t *testing.T, inst *Instance, op *testop.OP) (*api.LoginBegun, error) {
	t.Helper()
	ctx := context.Background()
	l, err := loopback.Listen(loopback.Options{})
	if err != nil {
		t.Fatal(err)
	}
	begun, err := inst.LoginBegin(ctx, api.LoginBeginInput{ProfileRef: api.ProfileRef{Provider: nativeProvider(op)},
		RedirectURI: l.RedirectURI(), OpenBrowser: true})
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var complete error
	if _, err := l.Wait(wctx, func(cb string) loopback.Verdict {
		_, complete = inst.LoginComplete(ctx, api.LoginCompleteInput{FlowID: begun.FlowID, CallbackURL: cb})
		return loopback.Verdict{Done: true, Page: loopback.Page{Success: complete == nil}}
	}); err != nil {
		t.Fatal(err)
	}
	return begun, complete
}

func servicesFor(op *testop.OP, store *mapStore, verify func(api.VerifySignatureRequest) (bool, error)) *Services {
	guard := httpguard.New(httpguard.Options{})
	guard.Allow(op.Issuer)
	return &Services{HTTP: guard, Secrets: store, Notify: func(string, string) {}, VerifySignature: verify,
		OpenBrowser: func(u string) error {
			go autologin.Follow(context.Background(), u, op.Username, op.Password)
			return nil
		}}
}

// The real plugin in this host, signing in against zitadel's OP: a host
// whose verify_signature lies fails the plugin's self-test, so the sign-in
// ends with untrusted_host naming the alg, and nothing is stored.
func TestLyingHostSignInFailsUntrusted(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	for name, liar := range liars {
		t.Run(name, func(t *testing.T) {
			store := &mapStore{m: map[string]string{}}
			inst := newInstance(t, servicesFor(op, store, liar))
			_, err := signIn(t, inst, op)
			checkUntrusted(t, err)
			if len(store.m) != 0 {
				t.Fatalf("stored %v", slices.Sorted(maps.Keys(store.m)))
			}
		})
	}
}

// A refresh brings a new ID token; checked by a lying host, it is refused
// and the stored sign-in stays as it was.
func TestLyingHostRefreshFailsUntrusted(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	store := &mapStore{m: map[string]string{}}
	begun, err := signIn(t, newInstance(t, servicesFor(op, store, nil)), op) // Go's crypto
	if err != nil {
		t.Fatal(err)
	}
	before := maps.Clone(store.m)
	inst := newInstance(t, servicesFor(op, store, liars["accepts everything"]))
	_, err = inst.Token(context.Background(), api.TokenInput{ProfileRef: api.ProfileRef{Profile: begun.Profile}, ForceRefresh: true})
	checkUntrusted(t, err)
	if !maps.Equal(store.m, before) {
		t.Fatal("the stored sign-in changed after an untrusted refresh")
	}
}

func checkUntrusted(t *testing.T, err error) {
	t.Helper()
	fe, ok := err.(*api.Error)
	if !ok || fe.Code != api.CodeUntrustedHost || !strings.Contains(fe.Message, "cannot be trusted to check RS256 signatures") ||
		!strings.Contains(fe.Message, "must be fixed") {
		t.Fatalf("got %v, want untrusted_host naming RS256 and saying the host must be fixed", err)
	}
}
