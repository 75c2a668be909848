package main

import (
	"testing"

	"github.com/wasmlogin/wasmlogin/internal/testop"
)

// A new profile's name is checked before the plugin runs, whether the user
// typed it or it was made from the issuer and client, and the refusal says
// what to do. Names with "#", "/" or ":" are ordinary names.
func TestLoginRefusesUnstorableProfileNames(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.autobrowser)
	wantFail(t, w.run("login", "--issuer", op.Issuer, "--client-id", testop.NativeClientID, "--profile", "my work"),
		2, `--profile "my work" cannot be used: a profile name is printable ASCII without spaces`)
	wantFail(t, w.run("login", "--issuer", op.Issuer+"/realms/a%20b", "--client-id", testop.NativeClientID),
		2, "name the profile with --profile NAME")
	if op.Requests("/.well-known/openid-configuration") != 0 {
		t.Fatal("a refused name still reached the provider")
	}

	w.login("--profile", "x")
	w.login("--profile", "x#1")
	if refreshTokenOf(w.stored("x")) == refreshTokenOf(w.stored("x#1")) {
		t.Fatal("profiles x and x#1 hold the same sign-in")
	}
	w.must("token", "--profile", "x")
}
