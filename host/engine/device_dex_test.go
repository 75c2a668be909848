package engine

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/host/httpguard"
	"github.com/wasmlogin/wasmlogin/host/secretstore"
	"github.com/wasmlogin/wasmlogin/internal/dexop"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// countingHTTP counts the plugin's requests to the token endpoint.
type countingHTTP struct {
	*httpguard.Guard
	tokenRequests atomic.Int32
}

func (c *countingHTTP) Do(ctx context.Context, req api.HTTPRequest) api.Reply[api.HTTPResponse] {
	if strings.HasSuffix(strings.SplitN(req.URL, "?", 2)[0], "/token") {
		c.tokenRequests.Add(1)
	}
	return c.Guard.Do(ctx, req)
}

// Dex paces device polls: a poll sooner than the interval after the last
// one gets slow_down, and restarts the clock. The plugin keeps a host from
// polling early: a poll before the interval is up is answered by the plugin
// with the time left, and never reaches Dex. A host that waits as told is
// never slowed down, and signs in once the code is approved. (How the
// plugin handles slow_down itself is flow.TestDevicePollDecisions.)
func TestDexDevicePacing(t *testing.T) {
	t.Parallel()
	op := dexop.StartT(t, dexop.Options{})
	ctx := context.Background()
	guard := httpguard.New(httpguard.Options{})
	guard.Allow(op.Issuer)
	http := &countingHTTP{Guard: guard}
	inst := newInstance(t, &Services{HTTP: http, Secrets: secretstore.Memory(), Notify: func(string, string) {}})
	provider := &api.Provider{Issuer: op.Issuer, ClientID: dexop.NativeClientID, Scopes: []string{"openid", "email", "offline_access"}}
	begun, err := inst.DeviceBegin(ctx, api.DeviceBeginInput{ProfileRef: api.ProfileRef{Provider: provider}})
	if err != nil {
		t.Fatal(err)
	}
	if begun.Interval != 5 || begun.VerificationURIComplete == "" {
		t.Fatalf("begun %+v", begun)
	}
	poll := func(want string, wait int, sent int32) *api.DevicePoll {
		t.Helper()
		p, err := inst.DevicePoll(ctx, api.DevicePollInput{FlowID: begun.FlowID})
		if err != nil || p.Status != want || (wait != 0 && p.WaitSeconds != wait) {
			t.Fatalf("poll: %+v %v, want %s with wait_seconds %d", p, err, want, wait)
		}
		if got := http.tokenRequests.Load(); got != sent {
			t.Fatalf("%d polls reached Dex, want %d", got, sent)
		}
		return p
	}
	early := poll("pending", 0, 0) // at once after device_begin: held back
	if early.WaitSeconds < 1 || early.WaitSeconds > 5 || !strings.Contains(early.Message, "nothing was sent") {
		t.Fatalf("early poll: %+v", early)
	}
	time.Sleep(time.Duration(early.WaitSeconds) * time.Second)
	poll("pending", 5, 1) // on time: Dex says pending, not slow_down
	poll("pending", 0, 1) // at once: held back, where Dex would say slow_down
	if err := dexop.ApproveDeviceURL(ctx, begun.VerificationURIComplete); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Second)
	p := poll("signed_in", 0, 2)
	if p.Session.Subject != dexop.MockSubject || !p.Session.HasRefreshToken {
		t.Fatalf("poll after approval: %+v", p)
	}
	if s, err := inst.Status(ctx, api.ProfileRef{Profile: begun.Profile}); err != nil || s.Claims["email"] != dexop.MockEmail {
		t.Fatalf("status: %+v %v", s, err)
	}
}
