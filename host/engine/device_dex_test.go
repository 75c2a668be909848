package engine

import (
	"context"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/host/httpguard"
	"github.com/wasmlogin/wasmlogin/host/secretstore"
	"github.com/wasmlogin/wasmlogin/internal/dexop"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// Dex paces device polls: a poll sooner than the interval after the last
// one gets slow_down, and restarts the clock. A host obeying the CLI's
// wait_seconds never polls early, so this test drives the engine directly:
// two polls back to back must give slow_down with the interval raised by
// 5 s for good (RFC 8628 3.5), and waiting that long satisfies Dex.
func TestDexDeviceSlowDown(t *testing.T) {
	t.Parallel()
	op := dexop.StartT(t, dexop.Options{})
	ctx := context.Background()
	guard := httpguard.New(httpguard.Options{})
	guard.Allow(op.Issuer)
	store := secretstore.Memory()
	inst := newInstance(t, &Services{HTTP: guard, Secrets: store, Notify: func(string, string) {}})
	provider := &api.Provider{Issuer: op.Issuer, ClientID: dexop.NativeClientID, Scopes: []string{"openid", "email", "offline_access"}}
	begun, err := inst.DeviceBegin(ctx, api.DeviceBeginInput{ProfileRef: api.ProfileRef{Provider: provider}})
	if err != nil {
		t.Fatal(err)
	}
	if begun.Interval != 5 || begun.VerificationURIComplete == "" {
		t.Fatalf("begun %+v", begun)
	}
	poll := func(want string, wait int) {
		t.Helper()
		p, err := inst.DevicePoll(ctx, api.DevicePollInput{FlowID: begun.FlowID})
		if err != nil || p.Status != want || p.WaitSeconds != wait {
			t.Fatalf("poll: %+v %v, want %s with wait_seconds %d", p, err, want, wait)
		}
	}
	poll("pending", 5)    // Dex's first poll is never early
	poll("slow_down", 10) // at once: too early
	time.Sleep(10 * time.Second)
	poll("pending", 10) // obeying the raised interval: Dex is satisfied, and it stays raised
	if err := dexop.ApproveDeviceURL(ctx, begun.VerificationURIComplete); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Second)
	p, err := inst.DevicePoll(ctx, api.DevicePollInput{FlowID: begun.FlowID})
	if err != nil || p.Status != "signed_in" || p.Session.Subject != dexop.MockSubject || !p.Session.HasRefreshToken {
		t.Fatalf("poll after approval: %+v %v", p, err)
	}
	if s, err := inst.Status(ctx, api.ProfileRef{Profile: begun.Profile}); err != nil || s.Claims["email"] != dexop.MockEmail {
		t.Fatalf("status: %+v %v", s, err)
	}
}
