package conformance_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/host/conformance/faultserver"
	"github.com/wasmlogin/wasmlogin/host/engine"
)

// TestConformance runs every case of cases.json against the Go host: the
// real engine.Runtime with guest.wasm in place of the flow plugin, lent
// the services the CLI lends the plugin (see newGoHost). The runtime's
// options are the CLI's except two: no compilation cache on disk, and the
// kit's short call timeout so that the endless loop ends quickly.
func TestConformance(t *testing.T) {
	srv, err := faultserver.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	vars := map[string]string{}
	for name, origin := range srv.Origins {
		vars[name] = origin
	}
	vars["host_file"] = filepath.Join(t.TempDir(), "host-file")
	k, err := loadKit("cases.json", vars)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(vars["host_file"], []byte(k.HostFileContent), 0o600); err != nil {
		t.Fatal(err)
	}
	logDir := t.TempDir() // the browser command's records, see newGoHost
	guest, err := os.ReadFile("guest.wasm")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	callTimeout := time.Duration(k.Host.CallTimeoutMS) * time.Millisecond
	rt, err := engine.New(ctx, engine.Options{Module: guest, CacheDir: "-", CallTimeout: callTimeout})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	// A command that finds no compiled plugin runs it on wazero's
	// interpreter (engine.Options.OnMiss): the runtime's own limits are
	// held there too. The host functions are the same code either way.
	interpreted, err := engine.New(ctx, engine.Options{Module: guest, CacheDir: t.TempDir(), OnMiss: func() {}, CallTimeout: callTimeout})
	if err != nil {
		t.Fatal(err)
	}
	defer interpreted.Close(ctx)
	if !interpreted.Interpreted() {
		t.Fatal("a cache miss with OnMiss did not start the interpreter")
	}

	if ping := newGoHost(t, hostConfig{HTTPTimeoutMS: k.Host.HTTPTimeoutMS}, logDir).call(ctx, rt, "ping", []byte("{}")); ping.err != nil {
		fmt.Printf("conformance: 0 passed, %d failed\n", len(k.Cases))
		t.Fatalf("the guest does not run in this host, so no case can: %s; "+
			"a host must offer every host function of wit/flow.wit (extism:host/user)", ping)
	}
	passed, failed := 0, 0
	run := func(name string, rt *engine.Runtime, c kitCase) {
		ran := false
		ok := t.Run(name, func(t *testing.T) { ran = true; runCase(t, rt, srv, c, logDir) })
		switch {
		case !ran: // not selected by -run
		case ok:
			passed++
		default:
			failed++
		}
	}
	for _, c := range k.Cases {
		run(c.Name, rt, c)
		if c.Rule == "runtime" {
			run(c.Name+"/interpreted", interpreted, c)
		}
	}
	// The kit's closing line, the same from every host's runner.
	fmt.Printf("conformance: %d passed, %d failed\n", passed, failed)
}

// runCase starts a fresh host and instance, makes the call, and checks
// everything the case expects. Each problem is reported with what the
// host actually answered.
func runCase(t *testing.T, rt *engine.Runtime, srv *faultserver.Server, c kitCase, logDir string) {
	ctx := context.Background()
	h := newGoHost(t, c.config, logDir)
	before := time.Now()
	o := h.call(ctx, rt, c.Export, c.Input)
	after := time.Now()

	problems := checkExpect(c, o)
	problems = append(problems, checkExcludes(c, o)...)
	problems = append(problems, checkClock(c, o, before, after)...)
	hits := srv.Hits()
	for _, u := range c.NeverContacted {
		if slices.Contains(hits, u) {
			problems = append(problems, fmt.Sprintf("%s was contacted; the host must refuse or not follow (outcome: %s)", u, o))
		}
	}
	switch want := c.BrowserOpened.(type) {
	case bool:
		if opened := h.browserStarts(); len(opened) > 0 {
			problems = append(problems, fmt.Sprintf("the browser command ran with %q; the host must refuse before running anything (outcome: %s)", opened, o))
		}
	case string:
		if opened := h.awaitBrowserStart(); len(opened) != 1 || opened[0][len(opened[0])-1] != want {
			problems = append(problems, fmt.Sprintf("expected the browser command to run once with %q as its last argument; it ran with %q (outcome: %s)", want, opened, o))
		}
	}
	for key, want := range c.StoreAfter {
		v, found, err := h.store.Get(key)
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("reading %q back: %v", key, err))
		case want == nil && found:
			problems = append(problems, fmt.Sprintf("the store now holds %q = %q; it must not (outcome: %s)", key, v, o))
		case want != nil && (!found || v != *want):
			problems = append(problems, fmt.Sprintf("the store holds %q = %q (found %v); expected %q (outcome: %s)", key, v, found, *want, o))
		}
	}
	if c.DiffersBetweenInstances {
		second := newGoHost(t, c.config, logDir).call(ctx, rt, c.Export, c.Input)
		if o.err != nil || second.err != nil || string(o.out) == string(second.out) {
			problems = append(problems, fmt.Sprintf("two instances must draw different values; first %s, second %s", o, second))
		}
	}
	if c.HostSurvives {
		if ping := newGoHost(t, c.config, logDir).call(ctx, rt, "ping", []byte("{}")); ping.err != nil || string(ping.out) != `{"ok":"pong"}` {
			problems = append(problems, fmt.Sprintf("after the case, a fresh instance does not answer ping: %s", ping))
		}
	}
	for _, p := range problems {
		t.Errorf("%s [%s: %s]", p, c.Rule, c.Why)
	}
}
