package engine

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/internal/testop"
	"github.com/wasmlogin/wasmlogin/internal/testop/autologin"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// runDeviceFlows exercises login_choose, device_begin and device_poll for
// the payload contract test: a choice, a pending poll, an approval and a
// signed_in poll carrying a session, and failures of each.
func runDeviceFlows(t *testing.T, inst *Instance, op *testop.OP, provider *api.Provider) {
	ctx := context.Background()
	ref := api.ProfileRef{Profile: "device", Provider: provider}
	if _, err := inst.LoginChoose(ctx, api.LoginChooseInput{ProfileRef: ref, Remote: true}); err != nil {
		t.Fatal(err)
	}
	inst.LoginChoose(ctx, api.LoginChooseInput{ProfileRef: ref, Prefer: "pigeon"})
	begun, err := inst.DeviceBegin(ctx, api.DeviceBeginInput{ProfileRef: ref})
	if err != nil {
		t.Fatal(err)
	}
	// A poll at once is answered by the plugin itself (too early): a
	// payload like the others. Then, the interval over, a real one.
	started := time.Now()
	if p, err := inst.DevicePoll(ctx, api.DevicePollInput{FlowID: begun.FlowID}); err != nil || p.Status != "pending" {
		t.Fatalf("first poll: %+v %v", p, err)
	}
	if err := autologin.ApproveDevice(ctx, begun.VerificationURI, begun.UserCode, op.Username, op.Password, true); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(started.Add(time.Duration(begun.Interval) * time.Second)))
	if p, err := inst.DevicePoll(ctx, api.DevicePollInput{FlowID: begun.FlowID}); err != nil || p.Status != "signed_in" {
		t.Fatalf("poll after approval: %+v %v", p, err)
	}
	inst.DevicePoll(ctx, api.DevicePollInput{FlowID: begun.FlowID})
	inst.DeviceBegin(ctx, api.DeviceBeginInput{ProfileRef: api.ProfileRef{Provider: &api.Provider{ClientID: "x",
		AuthorizationEndpoint: op.URL("/authorize"), TokenEndpoint: op.URL("/oauth/token")}}})
	if !regexp.MustCompile(`^[A-Z0-9-]+$`).MatchString(begun.UserCode) {
		t.Fatalf("user code %q", begun.UserCode)
	}
}
