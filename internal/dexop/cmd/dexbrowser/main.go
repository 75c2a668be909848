// Command dexbrowser is a stand-in for a web browser, usable as
// BROWSER=/path/to/dexbrowser in tests against internal/dexop's Dex. It takes
// the URL as its last argument and plays the user over plain HTTP (see
// dexop.FollowLogin and dexop.ApproveDeviceURL):
//
//   - an authorization URL: it follows Dex's redirects (the mock connector
//     signs the user in without a form) to the client's redirect_uri, and
//     exits 0 once a page outside Dex was loaded (even an error=... callback);
//   - Dex's device page with a user code (verification_uri_complete,
//     /device?user_code=...): it submits the code and follows the login to
//     Dex's "Login Successful" page, then exits 0.
//
// Otherwise it prints the error to stderr and exits 1. With
// DEXBROWSER_LOG=path, it first appends the URL it was given to that file
// (one line per run).
package main

import (
	"context"
	"fmt"
	"github.com/wasmlogin/wasmlogin/internal/testop/autologin"
	"net/url"
	"os"
	"time"

	"github.com/wasmlogin/wasmlogin/internal/dexop"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "dexbrowser:", autologin.Redact(err.Error()))
		os.Exit(1)
	}
}

func run() error {
	if len(os.Args) < 2 {
		return fmt.Errorf("usage: %s URL", os.Args[0])
	}
	target := os.Args[len(os.Args)-1]
	if path := os.Getenv("DEXBROWSER_LOG"); path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return fmt.Errorf("DEXBROWSER_LOG: %w", err)
		}
		_, err = fmt.Fprintln(f, target)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("DEXBROWSER_LOG: %w", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if u, err := url.Parse(target); err == nil && u.Path == dexop.PathDevice {
		return dexop.ApproveDeviceURL(ctx, target)
	}
	final, err := dexop.FollowLogin(ctx, target)
	if err != nil {
		return err
	}
	if os.Getenv("DEXBROWSER_VERBOSE") == "1" {
		fmt.Fprintln(os.Stderr, "dexbrowser: ended at", autologin.Redact(final))
	}
	return nil
}
