// Package flow decides every step of the OAuth 2 / OpenID Connect flows: it
// builds the requests, validates what comes back and chooses what to store.
// It reaches the world only through Host, which the Wasm adapter implements
// with the host functions described in wit/, and which tests implement
// natively. Clock and randomness come from the runtime (WASI in the plugin).
package flow

import "github.com/wasmlogin/wasmlogin/plugin/api"

// Host is what the plugin asks its embedder to do. Each method maps to one
// host function of the WIT world; a failure is an *api.Error with one of the
// api.Host* codes.
type Host interface {
	HTTP(req api.HTTPRequest) (*api.HTTPResponse, *api.Error)
	OpenBrowser(url string) (opened bool, err *api.Error)
	Notify(level, message string)
	Prompt(message string, secret bool) (string, *api.Error)
	SecretGet(key string) (value string, found bool, err *api.Error)
	SecretSet(key, value string) *api.Error
	SecretDelete(key string) *api.Error
	// VerifySignature is the host's platform crypto (interface crypto of
	// the WIT world): whether req.Signature is a valid req.Alg signature
	// of req.Message under req.JWK. bad_input means the request itself is
	// unusable. The plugin trusts it only after a self-test (hosttrust.go).
	VerifySignature(req api.VerifySignatureRequest) (valid bool, err *api.Error)
	// Sign is the other half of interface crypto: the host signs
	// req.Message with the private key it holds for req.Profile and
	// returns the signature, base64url. The key never reaches the plugin.
	Sign(req api.SignRequest) (signature string, err *api.Error)
}
