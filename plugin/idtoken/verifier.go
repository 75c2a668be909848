package idtoken

import "github.com/wasmlogin/wasmlogin/plugin/api"

// Verifier does the arithmetic of a signature check, and only that: this
// package has already chosen the key (kid, kty, use, key_ops, alg), refused
// algorithms it does not accept (none, HS*, crit), bound the alg to the
// key's type and curve, and checked the key's size. In the plugin it is the
// host's platform crypto (wit/flow.wit, interface crypto), which package
// flow trusts for an algorithm only after a known-answer self-test; native
// tests use Go's crypto.
//
// VerifySignature answers whether req.Signature is a valid req.Alg
// signature of req.Message under req.JWK (values base64url without
// padding). An error with code bad_input means the key was refused and is
// unusable; any other error means no answer, and no token is accepted.
type Verifier interface {
	VerifySignature(req api.VerifySignatureRequest) (valid bool, err *api.Error)
}
