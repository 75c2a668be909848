package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmlogin/wasmlogin/host/engine"
	"github.com/wasmlogin/wasmlogin/host/secretstore"
	"github.com/wasmlogin/wasmlogin/internal/testop"
)

// The end-to-end tests run the real host binary, which loads the real
// embedded plugin, against zitadel/oidc's example OP started by the test,
// with a BROWSER program playing the user. Nothing here is a fake server.

var bins struct{ host, autobrowser, chromebrowser, dexbrowser string }

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "wasmlogin-e2e-")
	if err != nil {
		panic(err)
	}
	for _, b := range []struct {
		out       *string
		name, pkg string
	}{
		{&bins.host, "host", "."},
		{&bins.autobrowser, "autobrowser", "../internal/testop/cmd/autobrowser"},
		{&bins.chromebrowser, "chromebrowser", "../internal/testop/cmd/chromebrowser"},
		{&bins.dexbrowser, "dexbrowser", "../internal/dexop/cmd/dexbrowser"},
	} {
		*b.out = filepath.Join(dir, b.name)
		if out, err := exec.Command("go", "build", "-o", *b.out, b.pkg).CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building %s: %v\n%s", b.pkg, err, out)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// world is one isolated user environment for the host: its own profile
// index, compile cache and keyring namespace (or encrypted file).
type world struct {
	t       testing.TB
	op      *testop.OP
	env     []string
	service string
	file    string // encrypted store path when no Secret Service is reachable
	lastRSS int64  // peak resident set of the last run, KiB
	config  string // WASMLOGIN_CONFIG_DIR: the profile index lives here
}

const filePassphrase = "e2e-passphrase"

func newWorld(t testing.TB, op *testop.OP, browser string) *world {
	t.Helper()
	dir := t.TempDir()
	w := &world{t: t, op: op, service: "wasmlogin-e2e-" + filepath.Base(dir), config: filepath.Join(dir, "config")}
	w.env = append(os.Environ(),
		"WASMLOGIN_CONFIG_DIR="+w.config,
		"WASMLOGIN_CACHE_DIR="+sharedCacheDir(t),
		"WASMLOGIN_KEYRING_SERVICE="+w.service,
		"BROWSER="+browser,
		// A developer's SSH session must not turn logins into device flows
		// (empty counts as unset; the last duplicate wins).
		"SSH_CONNECTION=", "SSH_TTY=",
		"TESTOP_USERNAME="+op.Username, "TESTOP_PASSWORD="+op.Password)
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no D-Bus session: CI must run the tests inside dbus-run-session with gnome-keyring unlocked (see .ci/run)")
		}
		t.Log("NOTE: no Secret Service here; this test uses the encrypted file store. Run under .ci/run for the real keyring.")
		w.file = filepath.Join(w.config, "secrets.enc") // where --store=file puts it
		w.env = append(w.env, "WASMLOGIN_STORE=file", "WASMLOGIN_STORE_PASSPHRASE="+filePassphrase)
	}
	return w
}

var cacheDir string

// sharedCacheDir lets tests share one compilation cache: each test would
// otherwise pay the plugin's cold compile.
func sharedCacheDir(t testing.TB) string {
	if cacheDir == "" {
		cacheDir = filepath.Join(os.TempDir(), "wasmlogin-e2e-cache")
	}
	return cacheDir
}

type result struct {
	code           int
	stdout, stderr string
}

func (w *world) run(args ...string) result {
	w.t.Helper()
	cmd := exec.Command(bins.host, args...)
	cmd.Env = w.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if cmd.ProcessState != nil {
		w.lastRSS = maxRSS(cmd.ProcessState)
	}
	w.waitForFill()
	r := result{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		w.t.Fatalf("running host %v: %v", args, err)
	}
	return r
}

// waitForFill returns once no background process compiles the plugin into
// this world's cache. A command that finds the cache empty leaves one
// running; a test must not race it for the cache, nor leave it writing into
// a directory the test is removing.
func (w *world) waitForFill() {
	w.t.Helper()
	dir := ""
	for _, kv := range w.env {
		if v, ok := strings.CutPrefix(kv, "WASMLOGIN_CACHE_DIR="); ok {
			dir = v // the last one wins, as in the process
		}
	}
	if err := engine.WaitForFill(context.Background(), engine.Options{CacheDir: dir}); err != nil {
		w.t.Fatal(err)
	}
}

// must runs a command that has to succeed.
func (w *world) must(args ...string) result {
	w.t.Helper()
	r := w.run(args...)
	if r.code != 0 {
		w.t.Fatalf("host %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

func (w *world) login(extra ...string) result {
	w.t.Helper()
	args := append([]string{"login", "--issuer", w.op.Issuer, "--client-id", testop.NativeClientID,
		"--scopes", "openid profile email offline_access", "--timeout", "60s"}, extra...)
	return w.must(args...)
}

// stored reads the profile's record the way the plugin stored it, to check
// what was persisted (the rotated refresh token).
func (w *world) stored(profile string) map[string]any {
	w.t.Helper()
	raw, found, err := w.store().Get("profile/" + profile)
	if err != nil || !found {
		w.t.Fatalf("reading the stored record of %s: found=%v err=%v", profile, found, err)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		w.t.Fatal(err)
	}
	return rec
}

// store opens the secret store the host under test uses.
func (w *world) store() secretstore.Store {
	w.t.Helper()
	if w.file == "" {
		return secretstore.Keyring(w.service)
	}
	store, err := secretstore.EncryptedFile(w.file, []byte(filePassphrase))
	if err != nil {
		w.t.Fatal(err)
	}
	return store
}

func refreshTokenOf(rec map[string]any) string {
	tok, _ := rec["token"].(map[string]any)
	s, _ := tok["refresh_token"].(string)
	return s
}
