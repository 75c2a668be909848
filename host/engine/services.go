package engine

import (
	"context"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// Services is what the host lends the plugin. Each field backs one host
// function of the WIT world; nil fields make that function report
// "unavailable", so an embedder can offer only what it has. Signature
// verification is always offered: nil means Go's crypto (host/sigverify).
type Services struct {
	// HTTP performs the plugin's requests; the reference implementation is
	// httpguard.Guard (allowlist, no redirects, timeout, size cap).
	HTTP interface {
		Do(ctx context.Context, req api.HTTPRequest) api.Reply[api.HTTPResponse]
	}
	// Secrets keeps tokens and client secrets.
	Secrets interface {
		Get(key string) (string, bool, error)
		Set(key, value string) error
		Delete(key string) error
	}
	// OpenBrowser shows a URL to the user in a browser.
	OpenBrowser func(url string) error
	// Notify tells the user something; level is "info" or "warn".
	Notify func(level, message string)
	// Prompt asks the user for a line; secret means no echo.
	Prompt func(message string, secret bool) (string, error)
	// VerifySignature replaces the platform's signature verification
	// (sigverify.Verify), for tests of hosts that get it wrong; leave it nil.
	// An error is reported to the plugin as bad_input.
	VerifySignature func(api.VerifySignatureRequest) (valid bool, err error)
	// Sign signs with the private key the host holds for a profile
	// (crypto.sign); host/signing.Signer is the reference. nil makes sign
	// report "unavailable". An error wrapping secretstore.ErrDenied is
	// reported as denied, signing.ErrBadRequest as bad_input, any other as
	// unavailable.
	Sign func(api.SignRequest) (signature string, err error)
}
