package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// The host obeys the plugin's wait exactly, stops at the code's deadline,
// and stops at once when the user cancels. The upper bounds only tell those
// apart from their bugs (a wait rounded up to the next 1 s tick, a 5 s wait
// that ignores the deadline or the cancel), with room for a loaded machine.
func TestProgressWait(t *testing.T) {
	var out bytes.Buffer
	p := &progress{w: &out, deadline: time.Now().Add(time.Minute)}
	start := time.Now()
	if err := p.wait(context.Background(), 1200*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 1200*time.Millisecond || d >= 1900*time.Millisecond {
		t.Fatalf("waited %s for 1.2 s", d)
	}
	if got := out.String(); got != "Waiting for you to approve the sign-in: 1:00 left\n" {
		t.Fatalf("plain progress %q", got) // one line, not one per check
	}

	p.deadline = time.Now().Add(200 * time.Millisecond)
	start = time.Now()
	p.wait(context.Background(), 5*time.Second)
	if d := time.Since(start); d > 2500*time.Millisecond {
		t.Fatalf("waited %s past a deadline 200 ms away", d)
	}

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	p.deadline = time.Now().Add(time.Minute)
	start = time.Now()
	if err := p.wait(ctx, 5*time.Second); err == nil || time.Since(start) > 2500*time.Millisecond {
		t.Fatalf("cancel: %v after %s", err, time.Since(start))
	}
}

func TestProgressOnATerminalRewritesOneLine(t *testing.T) {
	var out bytes.Buffer
	p := &progress{w: &out, tty: true, deadline: time.Now().Add(90 * time.Second)}
	p.wait(context.Background(), 1100*time.Millisecond)
	p.note("the server asked to poll more slowly; polling every 10 s now")
	got := out.String()
	if strings.Count(got, "\r\x1b[KWaiting for you to approve the sign-in: 1:") < 2 || strings.Contains(got, "left\n") ||
		!strings.HasSuffix(got, "\r\x1b[Kthe server asked to poll more slowly; polling every 10 s now\n") {
		t.Fatalf("terminal progress %q", got)
	}
}

func TestQRCodeUsesHalfBlocks(t *testing.T) {
	var out bytes.Buffer
	showQR(&out, "http://127.0.0.1:5556/device?user_code=ABCD-EFGH")
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if len(lines) < 12 || len(lines) > 24 || !strings.ContainsAny(out.String(), "▀▄") {
		t.Fatalf("QR code of %d lines:\n%s", len(lines), out.String())
	}
}
