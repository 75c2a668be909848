// Package browser shows the authorization URL in the user's browser.
//
// The BROWSER environment variable wins, as it does for gh and git: it is
// how users on remote machines, in containers or with unusual setups say
// what "open a browser" means for them. Without it, the platform's usual
// opener is used (xdg-open and friends, open, rundll32) via
// github.com/cli/browser.
package browser

import (
	"errors"
	"fmt"
	"os"
	"os/exec"

	clibrowser "github.com/cli/browser"
)

func init() {
	// The platform opener's chatter must not land on stdout, which may be
	// carrying a token to a pipe.
	clibrowser.Stdout = os.Stderr
}

// openDefault is the platform opener; tests replace it.
var openDefault = clibrowser.OpenURL

// Open asks a browser to show url. It returns once the browser command has
// started (BROWSER) or the platform opener has handed the URL over; it does
// not wait for the browser to exit. Only https URLs and http to loopback
// are opened (CheckURL); anything else is refused and nothing runs. The
// error says what could not be started and that the user can open the URL
// by hand; it does not repeat the URL, which the caller prints anyway.
func Open(url string) error {
	if err := CheckURL(url); err != nil {
		return err
	}
	if b := os.Getenv("BROWSER"); b != "" {
		return openWithBrowserVar(b, url)
	}
	if err := openDefault(url); err != nil {
		return fmt.Errorf("could not open a web browser (%v); open the URL yourself, or set BROWSER to your browser's command", err)
	}
	return nil
}

// openWithBrowserVar runs $BROWSER with the URL as one extra argument. The
// URL is never passed through a shell, so its & and ? stay intact.
func openWithBrowserVar(value, url string) error {
	words, err := splitWords(value)
	if err != nil {
		return fmt.Errorf("cannot use BROWSER=%q: %v; fix or unset BROWSER", value, err)
	}
	if len(words) == 0 {
		return fmt.Errorf("cannot use BROWSER=%q: it names no command; fix or unset BROWSER", value)
	}
	cmd := exec.Command(words[0], append(words[1:], url)...)
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		var ee *exec.Error
		if errors.As(err, &ee) {
			err = ee.Err
		}
		return fmt.Errorf("could not start the browser named by BROWSER=%q (%v); fix or unset BROWSER, or open the URL yourself", value, err)
	}
	// Reap the child whenever it exits so no zombie is left behind; its
	// exit status is of no interest (many launchers exit at once).
	go cmd.Wait()
	return nil
}
