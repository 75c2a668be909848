package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/host/secretstore"
	"github.com/wasmlogin/wasmlogin/internal/testop"
)

// withoutStoreChoice is the world's environment with no store chosen by
// the environment, so that only flags and the profile index decide.
func withoutStoreChoice(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "WASMLOGIN_STORE=") {
			out = append(out, kv)
		}
	}
	return append(out, "WASMLOGIN_STORE_PASSPHRASE="+filePassphrase)
}

// A profile signed in with --store file is found by every later command
// without --store: the index records the store, and it wins over
// WASMLOGIN_STORE, which only says where new sign-ins go.
func TestProfileRemembersItsStore(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.autobrowser)
	w.env = withoutStoreChoice(w.env)
	w.login("--store", "file", "--profile", "vault")
	if _, found, err := fileStore(t, w).Get("profile/vault"); !found || err != nil {
		t.Fatalf("--store file did not keep the sign-in in the encrypted file: %v", err)
	}
	var index struct {
		Profiles map[string]struct{ Store string } `json:"profiles"`
	}
	raw, _ := os.ReadFile(filepath.Join(w.config, "profiles.json"))
	if json.Unmarshal(raw, &index); index.Profiles["vault"].Store != "file" {
		t.Fatalf("the index does not record the store:\n%s", raw)
	}
	for _, args := range [][]string{{"token"}, {"token", "--profile", "vault", "--force-refresh"}, {"status", "--profile", "vault"}, {"userinfo"}} {
		if r := w.run(args...); r.code != 0 {
			t.Fatalf("%v without --store: exit %d\n%s", args, r.code, r.stderr)
		}
	}
	w.env = append(w.env, "WASMLOGIN_STORE=keyring")
	if r := w.run("token", "--profile", "vault"); r.code != 0 {
		t.Fatalf("WASMLOGIN_STORE=keyring hid the profile kept in the file: exit %d\n%s", r.code, r.stderr)
	}
	// Without its passphrase the file cannot be opened, and the message says why.
	w.env = append(w.env, "WASMLOGIN_STORE_PASSPHRASE=")
	if r := w.run("token", "--profile", "vault", "--force-refresh"); r.code != 2 || !strings.Contains(r.stderr, "WASMLOGIN_STORE_PASSPHRASE") {
		t.Fatalf("no passphrase: exit %d\n%s", r.code, r.stderr)
	}
	w.env = append(w.env, "WASMLOGIN_STORE_PASSPHRASE="+filePassphrase)
	w.must("logout", "--profile", "vault")
	if _, found, err := fileStore(t, w).Get("profile/vault"); found || err != nil {
		t.Fatalf("logout left the record in the file (err %v)", err)
	}
}

func fileStore(t *testing.T, w *world) secretstore.Store {
	t.Helper()
	store, err := secretstore.EncryptedFile(filepath.Join(w.config, "secrets.enc"), []byte(filePassphrase))
	if err != nil {
		t.Fatal(err)
	}
	return store
}

// After the default profile is signed out, the others are still there:
// the message names them and how to pick one instead of "not signed in".
func TestSignedOutDefaultPointsAtTheOthers(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.autobrowser)
	w.login("--profile", "work")
	w.login("--profile", "home")
	w.must("logout") // the default: home
	r := w.run("token")
	want := `token: no default profile (it was signed out); still signed in: "work". Pass --profile NAME, or make one the default with ` +
		"`use NAME` (`profiles` lists them)"
	if r.code != 3 || strings.TrimSpace(r.stderr) != want {
		t.Fatalf("exit %d, stderr:\n%s\nwant:\n%s", r.code, r.stderr, want)
	}
	w.must("use", "work")
	w.must("token")
}

// --no-open means what its help says, also on a machine without a
// display: the browser flow's URL is printed, no browser is started, and
// no device code replaces it. The user opens the URL elsewhere and, as the
// page cannot come back to this machine, pastes where it ended.
func TestNoOpenWithoutADisplayPrintsTheURL(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.autobrowser)
	r := w.start(t, []string{"DISPLAY=", "WAYLAND_DISPLAY=", "BROWSER="}, "login", "--issuer", op.Issuer,
		"--client-id", testop.NativeClientID, "--no-open", "--timeout", "30s")
	r.await(`^Signing in with the browser flow: you asked for the browser flow\.$`, 10*time.Second)
	authURL := r.await(`^\s+(http://\S+/auth\?\S+)$`, 10*time.Second)[1]
	r.await(`paste it here and press Enter`, 5*time.Second)
	r.stdin.Write([]byte(signInWithoutLastRedirect(t, op, authURL) + "\n"))
	res := r.wait(20 * time.Second)
	if res.code != 0 || !strings.Contains(res.stderr, "Signed in to "+op.Issuer) {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	for _, never := range []string{"device", "Code:", "Could not open a browser"} {
		if strings.Contains(res.stderr, never) {
			t.Fatalf("--no-open printed %q:\n%s", never, res.stderr)
		}
	}
}
