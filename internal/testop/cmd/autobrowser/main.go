// Command autobrowser is a stand-in for a web browser, usable as
// BROWSER=/path/to/autobrowser in tests against internal/testop's OP. It
// takes the URL as its last argument, logs in with TESTOP_USERNAME and
// TESTOP_PASSWORD over plain HTTP (see package autologin) and follows the
// redirects to the client's redirect_uri. It exits 0 once a page outside
// the OP was loaded (even an error=... callback), otherwise prints the error
// to stderr and exits 1.
//
// With AUTOBROWSER_LOG=path, it appends the URL it was given to that file
// (one line per run) before anything else.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/wasmlogin/wasmlogin/internal/testop/autologin"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "autobrowser:", autologin.Redact(err.Error()))
		os.Exit(1)
	}
}

func run() error {
	if len(os.Args) < 2 {
		return fmt.Errorf("usage: %s URL", os.Args[0])
	}
	target := os.Args[len(os.Args)-1]
	if path := os.Getenv("AUTOBROWSER_LOG"); path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return fmt.Errorf("AUTOBROWSER_LOG: %w", err)
		}
		_, err = fmt.Fprintln(f, target)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("AUTOBROWSER_LOG: %w", err)
		}
	}
	username, password := os.Getenv("TESTOP_USERNAME"), os.Getenv("TESTOP_PASSWORD")
	if username == "" || password == "" {
		return fmt.Errorf("TESTOP_USERNAME and TESTOP_PASSWORD must be set")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	final, err := autologin.Follow(ctx, target, username, password)
	if err != nil {
		return err
	}
	if os.Getenv("AUTOBROWSER_VERBOSE") == "1" {
		fmt.Fprintln(os.Stderr, "autobrowser: ended at", autologin.Redact(final))
	}
	return nil
}
