package autologin_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/internal/testop"
	"github.com/wasmlogin/wasmlogin/internal/testop/autologin"
)

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestFollowDeliversCode(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	client := testop.StartStandInClient(t) // stand-in for the program under test
	_, challenge := testop.PKCE()
	authURL := op.AuthorizationURL(testop.NativeClientID, client.RedirectURI, "st-123", challenge, "openid")

	final, err := autologin.Follow(ctxT(t), authURL, op.Username, op.Password)
	if err != nil {
		t.Fatalf("Follow: %v", err)
	}
	if !strings.HasPrefix(final, client.RedirectURI+"?") {
		t.Errorf("final URL = %q, want the redirect URI %s", final, client.RedirectURI)
	}
	got := client.Received()
	if len(got) != 1 {
		t.Fatalf("callbacks received = %d, want 1", len(got))
	}
	if got[0].Get("code") == "" || got[0].Get("state") != "st-123" {
		t.Errorf("callback query = %v, want a code and state=st-123", got[0])
	}
	if n := op.Requests(testop.PathLogin); n != 2 { // GET form + POST
		t.Errorf("requests to %s = %d, want 2", testop.PathLogin, n)
	}
}

func TestFollowWrongPassword(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	client := testop.StartStandInClient(t)
	_, challenge := testop.PKCE()
	authURL := op.AuthorizationURL(testop.NativeClientID, client.RedirectURI, "s", challenge, "openid")

	_, err := autologin.Follow(ctxT(t), authURL, op.Username, "wrong")
	if err == nil || !strings.Contains(err.Error(), "username or password wrong") {
		t.Fatalf("Follow error = %v, want a rejected login", err)
	}
	if n := len(client.Received()); n != 0 {
		t.Errorf("callbacks received = %d, want 0", n)
	}
}

// An error redirect to the redirect_uri is delivered, and is not an error of
// the browser.
func TestFollowErrorRedirectIsDelivered(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	client := testop.StartStandInClient(t)
	_, challenge := testop.PKCE()
	authURL := op.AuthorizationURL(testop.NativeClientID, client.RedirectURI, "s", challenge, "openid") + "&prompt=none"

	final, err := autologin.Follow(ctxT(t), authURL, op.Username, op.Password)
	if err != nil {
		t.Fatalf("Follow: %v", err)
	}
	got := client.Received()
	if len(got) != 1 || got[0].Get("error") != "login_required" || got[0].Get("state") != "s" {
		t.Fatalf("callbacks = %v (final %s), want one with error=login_required&state=s", got, final)
	}
}

// The OP refuses to redirect to an unregistered redirect_uri: an error page
// at the OP is an error.
func TestFollowErrorPageAtOP(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	_, challenge := testop.PKCE()
	authURL := op.AuthorizationURL(testop.NativeClientID, "https://evil.example/cb", "s", challenge, "openid")

	final, err := autologin.Follow(ctxT(t), authURL, op.Username, op.Password)
	if err == nil || !strings.Contains(err.Error(), "did not redirect") {
		t.Fatalf("Follow error = %v, want an error page at the OP", err)
	}
	if !strings.HasPrefix(final, op.Issuer) {
		t.Errorf("final URL = %q, want one at the OP", final)
	}
	t.Logf("error (for the record): %v", err)
}

func TestFollowNothingListening(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	client := testop.StartStandInClient(t)
	_, challenge := testop.PKCE()
	authURL := op.AuthorizationURL(testop.NativeClientID, client.RedirectURI, "s", challenge, "openid")
	client.Close() // the redirect then has nowhere to go
	_, err := autologin.Follow(ctxT(t), authURL, op.Username, op.Password)
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("Follow error = %v, want connection refused", err)
	}
}

func TestApproveDevice(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	ctx := ctxT(t)
	if err := autologin.ApproveDevice(ctx, op.URL("/device"), "NOPE-NOPE", op.Username, op.Password, true); err == nil {
		t.Fatal("ApproveDevice with an unknown user code succeeded")
	} else {
		t.Logf("unknown user code: %v", err)
	}
}
