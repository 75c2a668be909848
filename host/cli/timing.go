package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/wasmlogin/wasmlogin/host/secretstore"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// WASMLOGIN_TIMING=1 prints where a command's time goes, measured in place:
// one line per phase, with the secret store and HTTP calls made during it,
// so a slow sign-in can be pinned on the keyring, the network or the plugin.

func (c *command) timing() bool { return c.env.Getenv("WASMLOGIN_TIMING") == "1" }

// phase prints how long the step just finished took.
func (c *command) phase(name string) {
	if !c.timing() {
		return
	}
	now := time.Now()
	if c.lastPhase.IsZero() {
		c.lastPhase = processStart
	}
	fmt.Fprintf(c.env.Stderr, "timing: %-14s %6.1f ms%s\n", name, ms(now.Sub(c.lastPhase)), c.spent.take())
	c.lastPhase = now
}

// processStart is as close to exec as Go lets a package see.
var processStart = time.Now()

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// phaseSpend counts the calls of the phase in progress. Host calls come
// from the one plugin instance, one at a time, so no lock is needed.
type phaseSpend struct{ store, http tally }

type tally struct {
	calls int
	time  time.Duration
}

func (t *tally) add(start time.Time) { t.calls++; t.time += time.Since(start) }

// take describes the phase's calls and starts counting the next phase.
func (p *phaseSpend) take() string {
	var s string
	for _, part := range []struct {
		name string
		t    *tally
	}{{"store", &p.store}, {"http", &p.http}} {
		switch part.t.calls {
		case 0:
		case 1:
			s += fmt.Sprintf(", %s 1 call %.1f ms", part.name, ms(part.t.time))
		default:
			s += fmt.Sprintf(", %s %d calls %.1f ms", part.name, part.t.calls, ms(part.t.time))
		}
		*part.t = tally{}
	}
	if s != "" {
		s = " (" + s[2:] + ")"
	}
	return s
}

type timedStore struct {
	secretstore.Store
	t *tally
}

func (s timedStore) Get(key string) (string, bool, error) {
	defer s.t.add(time.Now())
	return s.Store.Get(key)
}

func (s timedStore) Set(key, value string) error {
	defer s.t.add(time.Now())
	return s.Store.Set(key, value)
}

func (s timedStore) Delete(key string) error {
	defer s.t.add(time.Now())
	return s.Store.Delete(key)
}

type httpDoer interface {
	Do(context.Context, api.HTTPRequest) api.Reply[api.HTTPResponse]
}

type timedHTTP struct {
	next httpDoer
	t    *tally
}

func (h timedHTTP) Do(ctx context.Context, req api.HTTPRequest) api.Reply[api.HTTPResponse] {
	defer h.t.add(time.Now())
	return h.next.Do(ctx, req)
}
