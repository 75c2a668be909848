// Package knownanswer holds the known-answer signature vectors with which
// the plugin checks its host before trusting it (wit/flow.wit, interface
// crypto): for each JWS algorithm an ID token may use, a public key, a
// message, a valid signature and the same signature with one bit flipped.
// A host whose verify_signature accepts the tampered signature or refuses
// the valid one would also get real tokens wrong, so its answers are not
// trusted.
//
// The vectors are generated once (generate.go, with fresh keys from Go's
// crypto) and compiled into the plugin; they are public test data, and the
// private keys are thrown away.
package knownanswer

//go:generate go run generate.go

import "github.com/wasmlogin/wasmlogin/plugin/api"

// Vector is one algorithm's known answers. Message and both signatures are
// base64url without padding, as verify_signature takes them.
type Vector struct {
	Alg      string
	JWK      api.PublicJWK
	Message  string
	Valid    string
	Tampered string // Valid with one bit flipped: it must not verify
}

// For returns the vector of alg, if there is one.
func For(alg string) (Vector, bool) {
	for _, v := range vectors {
		if v.Alg == alg {
			return v, true
		}
	}
	return Vector{}, false
}

// Request asks whether signature is a valid signature of the vector's
// message under its key.
func (v Vector) Request(signature string) api.VerifySignatureRequest {
	return api.VerifySignatureRequest{Alg: v.Alg, JWK: v.JWK, Message: v.Message, Signature: signature}
}
