package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mdp/qrterminal/v3"
	"golang.org/x/term"

	"github.com/wasmlogin/wasmlogin/host/engine"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// maxTransientPolls is how many polls in a row may fail for network or
// server trouble before the login gives up: a blip during the minutes a
// user takes to approve should not cost them the code.
const maxTransientPolls = 3

// loginDevice runs the device flow (RFC 8628): the plugin shows the code
// and where to enter it; the host draws a QR code of the URL on a terminal,
// then polls exactly as the plugin says until it decides.
func (c *command) loginDevice(ctx context.Context, inst *engine.Instance, ref api.ProfileRef, open bool) (*api.Session, error) {
	begun, err := inst.DeviceBegin(ctx, api.DeviceBeginInput{ProfileRef: ref, OpenBrowser: open})
	if err != nil {
		return nil, err
	}
	tty := isTerminal(c.env.Stderr)
	if tty && begun.VerificationURIComplete != "" {
		fmt.Fprintln(c.env.Stderr, "Or scan this code with a phone, which opens the page with the code filled in:")
		showQR(c.env.Stderr, begun.VerificationURIComplete)
	}
	prog := &progress{w: c.env.Stderr, tty: tty, deadline: time.Now().Add(time.Duration(begun.ExpiresIn) * time.Second)}
	defer prog.end()
	wait := time.Duration(begun.Interval) * time.Second
	failures := 0
	for {
		if err := prog.wait(ctx, wait); err != nil {
			return nil, errCancelled
		}
		poll, err := inst.DevicePoll(ctx, api.DevicePollInput{FlowID: begun.FlowID})
		if ctx.Err() != nil {
			return nil, errCancelled
		}
		if err != nil {
			if fe, ok := err.(*api.Error); ok && fe.Code == api.CodeTransient && failures < maxTransientPolls {
				failures++
				prog.note(fmt.Sprintf("warning: %s (retry %d of %d)", fe.Message, failures, maxTransientPolls))
				continue
			}
			return nil, err
		}
		failures = 0
		switch poll.Status {
		case "pending", "slow_down":
			wait = time.Duration(poll.WaitSeconds) * time.Second
			prog.deadline = time.Now().Add(time.Duration(poll.ExpiresIn) * time.Second)
			if poll.Message != "" {
				prog.note(poll.Message)
			}
		case "signed_in":
			return poll.Session, nil
		case "denied":
			return nil, &api.Error{Code: api.CodeServer, Message: poll.Message}
		case "expired":
			return nil, &api.Error{Code: api.CodeLoginRequired, Message: poll.Message}
		default:
			return nil, fmt.Errorf("the flow plugin answered an unknown device status %q; update this program", poll.Status)
		}
	}
}

// showQR draws text as a QR code with half blocks (two modules per
// character cell), small enough for an ordinary terminal.
func showQR(w io.Writer, text string) {
	qrterminal.GenerateWithConfig(text, qrterminal.Config{Level: qrterminal.L, Writer: w,
		HalfBlocks: true, QuietZone: 2})
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// plainEvery spaces out the progress lines written to a file or pipe,
// where a line per second would flood a log.
const plainEvery = 30 * time.Second

// progress shows how long the code stays valid while the host waits: one
// line rewritten in place on a terminal, an occasional line otherwise.
type progress struct {
	w         io.Writer
	tty       bool
	deadline  time.Time // when the code expires
	lastPlain time.Time
	onLine    bool // a progress line is on the terminal, not ended
}

// wait sleeps exactly d (the plugin's wait_seconds), or until the code's
// deadline if that comes first, since polling then only confirms the
// expiry. It returns early, with ctx's error, when the user cancels.
func (p *progress) wait(ctx context.Context, d time.Duration) error {
	end := time.Now().Add(d)
	if p.deadline.Before(end) {
		end = p.deadline
	}
	for {
		p.show()
		left := time.Until(end)
		if left <= 0 {
			return nil
		}
		if p.tty && left > time.Second {
			left = time.Second // redraw the time left each second
		}
		t := time.NewTimer(left)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

func (p *progress) show() {
	left := max(time.Until(p.deadline).Round(time.Second), 0)
	text := fmt.Sprintf("Waiting for you to approve the sign-in: %d:%02d left", int(left.Minutes()), int(left.Seconds())%60)
	if p.tty {
		fmt.Fprintf(p.w, "\r\x1b[K%s", text)
		p.onLine = true
		return
	}
	if p.lastPlain.IsZero() || time.Since(p.lastPlain) >= plainEvery {
		fmt.Fprintln(p.w, text)
		p.lastPlain = time.Now()
	}
}

// note prints a message on its own line without garbling the progress line.
func (p *progress) note(msg string) {
	p.end()
	fmt.Fprintln(p.w, msg)
}

// end finishes the progress line so that what follows starts on a new line.
func (p *progress) end() {
	if p.onLine {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.onLine = false
	}
}
