package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/wasmlogin/wasmlogin/internal/testop"
	"github.com/zalando/go-keyring"
)

const scopes = "openid profile email offline_access"

// measureAll fills the table, in the order it is printed. A step that
// fails marks its rows (and the rows that depend on it) NOT MEASURED and
// the run goes on.
func (b *bench) measureAll() {
	t := &b.table
	env := b.env()
	host := b.bin["wasmlogin"]

	var size int64
	fi, err := os.Stat(filepath.Join(b.repo, "host/internal/wasm/plugin.wasm"))
	if err == nil {
		size = fi.Size()
	}
	t.add(bytesRow("plugin.wasm size", size, 3.0, err))

	step("signing in once with `wasmlogin login` (access tokens live 1 h)")
	profile, signedIn := b.signIn(env)
	served := signedIn
	if served == nil {
		served = b.servedEntry(profile)
	}
	b.phasesNote("token", env, host, "token")

	step("token, warm cache, beside nativetoken")
	cmds := [][]string{{host, "token"}}
	if served == nil {
		cmds = append(cmds, []string{b.bin["nativetoken"], b.service, "served/" + profile})
	}
	st, err := b.timeAll(signedIn, hyperfineRun{env: env, warmup: 3, cmds: cmds})
	nativeErr := firstErr(served, err)
	st = append(st, stats{}) // native's slot when it was not run
	t.add(timeRow("token, warm cache", st[0], 0.015, "15 ms", err))
	t.add(timeRow("  nativetoken, same keyring entry", st[1], 0, "", nativeErr))
	// The served token is the only path: the host reads one keyring entry,
	// as the native reader does, so the gap is the host process itself.
	t.add(ratioRow("  token / nativetoken", st[0], st[1], 1.1, err, nativeErr))

	step("token, cold cache (emptied before every run)")
	cold := filepath.Join(b.dir, "cold-cache")
	coldEnv := b.env("WASMLOGIN_CACHE_DIR=" + cold)
	rmCold := emptyCache(cold)
	st, err = b.timeAll(signedIn, hyperfineRun{env: coldEnv, prepare: rmCold, cmds: [][]string{{host, "token"}}})
	t.add(timeRow("token, cold cache (emptied every run)", st[0], 1.0, "1.0 s", err))

	step("token peak RSS, warm cache")
	var kib int64
	err = signedIn
	if err == nil {
		kib, err = b.peakRSS(env, host, "token")
	}
	r := row{name: fmt.Sprintf("token peak RSS, warm (max of %d)", b.runs), err: err}
	r.figure = fmt.Sprintf("%.1f MB (%d KiB)", float64(kib)*1024/1e6, kib)
	r.target, r.met = "<= 50 MB", float64(kib)*1024 <= 50e6
	t.add(r)

	b.loginRows(env)
	b.nodeRows()

	step("status (always loads the plugin), warm and first after install; token --force-refresh")
	st, err = b.timeAll(signedIn, hyperfineRun{env: env, warmup: 3, cmds: [][]string{{host, "status"}}})
	t.add(timeRow("status, warm cache", st[0], 0, "", err))
	st, err = b.timeAll(signedIn, hyperfineRun{env: coldEnv, prepare: rmCold, cmds: [][]string{{host, "status"}}})
	t.add(timeRow("status, first command (empty cache)", st[0], 0.5, "0.5 s", err))
	b.phasesNote("status, empty cache", coldEnv, "sh", "-c", rmCold+" && exec "+shellJoin([]string{host, "status"}))
	b.firstLoginRow(coldEnv, rmCold)
	st, err = b.timeAll(signedIn, hyperfineRun{env: env, warmup: 2, cmds: [][]string{{host, "token", "--force-refresh"}}})
	t.add(timeRow("token --force-refresh, warm cache", st[0], 0.1, "100 ms", err))
	b.phasesNote("token --force-refresh", env, host, "token", "--force-refresh")
}

// emptyCache is a shell command that empties a compilation cache once no
// background process is filling it: the first command after an install
// runs the plugin interpreted and leaves one compiling for the next, which
// must not still be running (and taking a core) when the next run starts,
// nor publish into the directory being emptied.
func emptyCache(dir string) string {
	d := shellJoin([]string{dir})
	return "mkdir -p " + d + " && flock " + shellJoin([]string{filepath.Join(dir, "fill.lock")}) + " rm -rf " + d
}

// firstLoginRow times `login` on an empty cache up to the moment the
// browser is opened, whole-process: the browser is `true`, which exits at
// once, and --timeout 1ms ends the wait for its redirect as soon as the
// wait begins, so the command fails right after opening the browser (the
// first run checks that this is how it failed).
func (b *bench) firstLoginRow(coldEnv []string, rmCold string) {
	step("login up to opening the browser, first command (empty cache)")
	env := append(slices.Clone(coldEnv), "BROWSER=true")
	login := b.hostLogin()
	login[len(login)-1] = "1ms" // --timeout 1ms
	var st []stats
	_, stderr, err := b.output(env, "sh", "-c", rmCold+" && exec "+shellJoin(login))
	if err == nil {
		err = errors.New("login with --timeout 1ms succeeded: nothing waited for the browser")
	} else if !strings.Contains(string(stderr), "Waiting for the browser") {
		err = fmt.Errorf("login failed before opening the browser: %v\n%s", err, tail(stderr))
	} else {
		st, err = b.hyperfine(hyperfineRun{env: env, prepare: rmCold, ignoreFailure: true, cmds: [][]string{login}})
	}
	if err != nil {
		st = make([]stats, 1)
	}
	b.table.add(timeRow("login to browser open, first command (empty cache)", st[0], 0.5, "0.5 s", err))
}

// loginRows time a whole browser sign-in by the host and by nativelogin,
// with autobrowser as the user, in one hyperfine invocation.
func (b *bench) loginRows(env []string) {
	step("PKCE sign-in: wasmlogin login beside nativelogin (x/oauth2 + go-oidc)")
	b.phasesNote("login", env, b.hostLogin()...)
	st, err := b.timeAll(nil, hyperfineRun{env: env, warmup: 1, cmds: [][]string{b.hostLogin(),
		{b.bin["nativelogin"], "-issuer", b.op.Issuer, "-client-id", testop.NativeClientID, "-scopes", scopes,
			"-service", b.service + "-native", "-timeout", "60s"}}})
	b.table.add(timeRow("PKCE sign-in, wasmlogin login", st[0], 0, "", err))
	b.table.add(timeRow("  nativelogin (x/oauth2 + go-oidc)", st[1], 0, "", err))
	b.table.add(ratioRow("  login / nativelogin", st[0], st[1], 1.2, err))
}

func (b *bench) hostLogin() []string {
	return []string{b.bin["wasmlogin"], "login", "--issuer", b.op.Issuer, "--client-id", testop.NativeClientID,
		"--scopes", scopes, "--timeout", "60s"}
}

// timeAll runs one hyperfine invocation unless a step it depends on
// failed. There is always one stats per command, zero on error.
func (b *bench) timeAll(dep error, h hyperfineRun) ([]stats, error) {
	if dep != nil {
		return make([]stats, len(h.cmds)), dep
	}
	st, err := b.hyperfine(h)
	if err != nil {
		return make([]stats, len(h.cmds)), err
	}
	return st, nil
}

// signIn signs in with the host and returns the profile's name as `status
// --json` tells it, the name the served entry is keyed by.
func (b *bench) signIn(env []string) (string, error) {
	if err := b.run(env, b.hostLogin()...); err != nil {
		return "", err
	}
	out, stderr, err := b.output(env, b.bin["wasmlogin"], "status", "--json")
	if err != nil {
		return "", fmt.Errorf("status --json: %v\n%s", err, tail(stderr))
	}
	var s struct{ Profile string }
	if err := json.Unmarshal(out, &s); err != nil || s.Profile == "" {
		return "", fmt.Errorf("status --json gave no profile (%v)", err)
	}
	return s.Profile, nil
}

// servedEntry checks that the entry the host's fast path reads, and
// nativetoken reads too, exists after a sign-in.
func (b *bench) servedEntry(profile string) error {
	key := "served/" + profile
	_, err := keyring.Get(b.service, key)
	if errors.Is(err, keyring.ErrNotFound) {
		return fmt.Errorf("no keyring entry %q (service %q) after a sign-in: this build's plugin does not "+
			"publish the served token yet, so there is nothing for nativetoken to read", key, b.service)
	} else if err != nil {
		return err
	}
	// Both must hand out the same token, or they are not reading the same
	// thing. Compared here, never printed.
	env := b.env()
	want, stderr, err := b.output(env, b.bin["wasmlogin"], "token")
	if err != nil {
		return fmt.Errorf("token: %v\n%s", err, tail(stderr))
	}
	got, stderr, err := b.output(env, b.bin["nativetoken"], b.service, key)
	if err != nil {
		return fmt.Errorf("nativetoken: %v\n%s", err, tail(stderr))
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("nativetoken and token print different tokens from %q: not the same entry", key)
	}
	return nil
}

var timingLine = regexp.MustCompile(`(?m)^timing: (.+?)\s+([0-9.]+) ms(?: \((.+)\))?$`)

// phasesNote runs the command once with WASMLOGIN_TIMING=1 and notes where
// the host says its time went.
func (b *bench) phasesNote(what string, env []string, c ...string) {
	_, stderr, err := b.output(append(slices.Clone(env), "WASMLOGIN_TIMING=1"), c...)
	if err != nil {
		b.table.note("%s phases: not available (%v)", what, err)
		return
	}
	var parts []string
	loaded := false
	for _, m := range timingLine.FindAllStringSubmatch(string(stderr), -1) {
		part := m[1] + " " + m[2]
		if m[3] != "" { // the phase's store and HTTP calls
			part += " [" + m[3] + "]"
		}
		parts = append(parts, part)
		loaded = loaded || m[1] == "load plugin"
	}
	if len(parts) == 0 {
		parts = []string{"none printed"}
	}
	b.table.note("%s phases (WASMLOGIN_TIMING=1, one run, ms): %s", what, strings.Join(parts, ", "))
	if what == "token" && loaded {
		b.table.note("token loaded the plugin: this build has no fast path from the served entry")
	} else if what == "token" {
		b.table.note("token answered without loading the plugin (served-entry fast path)")
	}
}

// median of samples in seconds, as hyperfine computes it.
func median(xs []float64) stats {
	s := slices.Sorted(slices.Values(xs))
	n := len(s)
	m := s[n/2]
	if n%2 == 0 {
		m = (s[n/2-1] + s[n/2]) / 2
	}
	return stats{m, s[0], s[n-1]}
}

func parseSamples(raw string, last int) ([]float64, error) {
	lines := strings.Fields(raw)
	if len(lines) < last {
		return nil, fmt.Errorf("%d samples, want %d", len(lines), last)
	}
	var xs []float64
	for _, l := range lines[len(lines)-last:] {
		v, err := strconv.ParseFloat(l, 64)
		if err != nil {
			return nil, err
		}
		xs = append(xs, v/1e3) // ms to s
	}
	return xs, nil
}
