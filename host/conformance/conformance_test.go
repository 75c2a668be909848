package conformance_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/host/conformance/faultserver"
	"github.com/wasmlogin/wasmlogin/host/engine"
	"github.com/wasmlogin/wasmlogin/host/httpguard"
	"github.com/wasmlogin/wasmlogin/host/secretstore"
)

// TestConformance runs every case of cases.json against the Go host: the
// real engine.Runtime with guest.wasm in place of the flow plugin, lent
// the services the CLI lends the plugin (host/cli services.go): an
// httpguard.Guard that allows the configured issuer, a secret store, a
// browser opener, notify and prompt. The runtime's options are the CLI's
// except two: no compilation cache on disk, and the kit's short call
// timeout so that the endless loop ends quickly.
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
	guest, err := os.ReadFile("guest.wasm")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rt, err := engine.New(ctx, engine.Options{Module: guest, CacheDir: "-",
		CallTimeout: time.Duration(k.Host.CallTimeoutMS) * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)

	if ping := newGoHost(hostConfig{HTTPTimeoutMS: k.Host.HTTPTimeoutMS}).call(ctx, rt, "ping", []byte("{}")); ping.err != nil {
		fmt.Printf("conformance: 0 passed, %d failed\n", len(k.Cases))
		t.Fatalf("the guest does not run in this host, so no case can: %s; "+
			"a host must offer every host function of wit/flow.wit (extism:host/user)", ping)
	}
	passed, failed := 0, 0
	for _, c := range k.Cases {
		ran := false
		ok := t.Run(c.Name, func(t *testing.T) { ran = true; runCase(t, rt, srv, c) })
		switch {
		case !ran: // not selected by -run
		case ok:
			passed++
		default:
			failed++
		}
	}
	// The kit's closing line, the same from every host's runner.
	fmt.Printf("conformance: %d passed, %d failed\n", passed, failed)
}

// runCase starts a fresh host and instance, makes the call, and checks
// everything the case expects. Each problem is reported with what the
// host actually answered.
func runCase(t *testing.T, rt *engine.Runtime, srv *faultserver.Server, c kitCase) {
	ctx := context.Background()
	h := newGoHost(c.config)
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
		if opened := h.browserCalls(); len(opened) > 0 {
			problems = append(problems, fmt.Sprintf("the browser opener ran with %q; the host must refuse before running anything (outcome: %s)", opened, o))
		}
	case string:
		if opened := h.browserCalls(); !slices.Equal(opened, []string{want}) {
			problems = append(problems, fmt.Sprintf("expected the browser opener to run once with %q; it ran with %q (outcome: %s)", want, opened, o))
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
		second := newGoHost(c.config).call(ctx, rt, c.Export, c.Input)
		if o.err != nil || second.err != nil || string(o.out) == string(second.out) {
			problems = append(problems, fmt.Sprintf("two instances must draw different values; first %s, second %s", o, second))
		}
	}
	if c.HostSurvives {
		if ping := newGoHost(c.config).call(ctx, rt, "ping", []byte("{}")); ping.err != nil || string(ping.out) != `{"ok":"pong"}` {
			problems = append(problems, fmt.Sprintf("after the case, a fresh instance does not answer ping: %s", ping))
		}
	}
	for _, p := range problems {
		t.Errorf("%s [%s: %s]", p, c.Rule, c.Why)
	}
}

// goHost is one host as the CLI builds it for the plugin (cli.services),
// with a memory store seeded as the case says and a browser opener that
// only records.
type goHost struct {
	services *engine.Services
	store    secretstore.Store

	mu     sync.Mutex
	opened []string
}

func newGoHost(cfg hostConfig) *goHost {
	h := &goHost{store: secretstore.Memory()}
	for k, v := range cfg.Store {
		h.store.Set(k, v)
	}
	guard := httpguard.New(httpguard.Options{Timeout: cfg.httpTimeout()})
	guard.Allow(cfg.Issuer)
	h.services = &engine.Services{
		HTTP:    guard,
		Secrets: h.store,
		OpenBrowser: func(url string) error {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.opened = append(h.opened, url)
			return nil
		},
		Notify: func(level, message string) {},
		Prompt: func(string, bool) (string, error) { return "", errors.New("no terminal to ask on") },
	}
	// cfg.Profiles are the profiles this instance is granted: the engine
	// must refuse every secret key outside profile/<p>, served/<p> and
	// default-profile for them. This engine has no grant yet, so nothing
	// is passed and the secrets cases show what it lets through.
	return h
}

func (h *goHost) browserCalls() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.opened...)
}

// call runs one export on a fresh instance lent this host's services.
func (h *goHost) call(ctx context.Context, rt *engine.Runtime, export string, input []byte) outcome {
	inst, err := rt.Instance(ctx, h.services)
	if err != nil {
		return outcome{err: fmt.Errorf("starting the guest: %w", err)}
	}
	defer inst.Close(ctx)
	out, err := inst.Call(ctx, export, input)
	return outcome{out: out, err: err}
}
