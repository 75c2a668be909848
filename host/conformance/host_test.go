package conformance_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/host/browser"
	"github.com/wasmlogin/wasmlogin/host/engine"
	"github.com/wasmlogin/wasmlogin/host/httpguard"
	"github.com/wasmlogin/wasmlogin/host/secretstore"
)

// browserLogEnv, when set, makes this test binary a browser command that
// only writes its arguments, one JSON array per line, to the file named.
// The runner sets it with BROWSER pointing at this binary, so the CLI's
// own opener (browser.Open) is what the guest reaches, and nothing runs.
const browserLogEnv = "CONFORMANCE_BROWSER_LOG"

func TestMain(m *testing.M) {
	if log := os.Getenv(browserLogEnv); log != "" {
		f, err := os.OpenFile(log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		if err == nil {
			json.NewEncoder(f).Encode(os.Args[1:])
			err = f.Close()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "recording a browser start:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// goHost is one host as the CLI builds it for the plugin (cli.services in
// host/cli/services.go): an httpguard.Guard told the configured issuer and
// allowing its origin, the secret store, browser.Open with $BROWSER
// pointing at a recorder, notify and prompt.
type goHost struct {
	services   *engine.Services
	store      secretstore.Store
	browserLog string
}

// newGoHost builds a host for one call. Its browser command writes to a
// fresh file in logDir, a folder that outlives the case: browser.Open
// returns once the command has started, and the command may still be
// writing when the case ends.
func newGoHost(t *testing.T, cfg hostConfig, logDir string) *goHost {
	f, err := os.CreateTemp(logDir, "browser-*.log")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	h := &goHost{store: secretstore.Memory(), browserLog: f.Name()}
	for k, v := range cfg.Store {
		h.store.Set(k, v)
	}
	t.Setenv("BROWSER", "'"+os.Args[0]+"'")
	t.Setenv(browserLogEnv, h.browserLog)
	guard := httpguard.New(httpguard.Options{Timeout: cfg.httpTimeout()})
	guard.Allow(cfg.Issuer)
	// Only the configured issuer's own discovery document may teach the
	// guard other origins; guards that take the issuer are told it, as the
	// CLI does.
	if g, ok := any(guard).(interface{ SetIssuer(string) }); ok {
		g.SetIssuer(cfg.Issuer)
	}
	// The instance may touch only the secrets of cfg.Profiles, as the CLI
	// scopes its store to the profiles a command serves.
	h.services = &engine.Services{
		HTTP:        guard,
		Secrets:     secretstore.Scoped(h.store, cfg.Profiles...),
		OpenBrowser: browser.Open,
		Notify:      func(level, message string) {},
		Prompt:      func(string, bool) (string, error) { return "", errors.New("no terminal to ask on") },
	}
	return h
}

// browserStarts lists the argument lists the browser command ran with.
func (h *goHost) browserStarts() [][]string {
	f, err := os.Open(h.browserLog)
	if err != nil {
		return nil
	}
	defer f.Close()
	var starts [][]string
	for s := bufio.NewScanner(f); s.Scan(); {
		var args []string
		json.Unmarshal(s.Bytes(), &args)
		starts = append(starts, args)
	}
	return starts
}

// awaitBrowserStart waits for the browser command the host started to
// write its arguments: browser.Open returns once the command has started,
// not once it has run. The wait ends at the first start, or after ten
// seconds without one.
func (h *goHost) awaitBrowserStart() [][]string {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if starts := h.browserStarts(); len(starts) > 0 {
			return starts
		}
	}
	return nil
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
