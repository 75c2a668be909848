// Package fixtureproc is how the test servers that other languages' test
// suites start as processes (opserver, dexserver, mcpserver, faultserver)
// stay alive: until their standard input closes, they are interrupted, or
// an hour passes, so a test harness that dies never leaves one behind.
package fixtureproc

import (
	"io"
	"os"
	"os/signal"
	"time"
)

// ServeUntilDone blocks until stdin closes, an interrupt arrives or an
// hour has passed.
func ServeUntilDone() {
	done := make(chan struct{})
	go func() { io.Copy(io.Discard, os.Stdin); close(done) }()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	select {
	case <-done:
	case <-sig:
	case <-time.After(time.Hour):
	}
}
