// Package pkce makes the one-time secrets a public client needs for the
// authorization code flow: the PKCE code verifier and its S256 challenge
// (RFC 7636), and the state and nonce values. RFC 9700 requires PKCE for
// every client, so only S256 is offered; "plain" would give the challenge
// away to anyone who sees the authorization request.
package pkce

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// secretBytes is 256 bits: RFC 7636 7.1 asks for at least 256 bits of
// entropy, and 32 bytes encode to 43 characters, the verifier's minimum length.
const secretBytes = 32

// NewVerifier returns a fresh code verifier. It is kept by the client until
// the code is redeemed and must never appear in the authorization request.
func NewVerifier() string {
	return randomString()
}

// Challenge is what the authorization request carries instead of the
// verifier, with code_challenge_method=S256.
func Challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// RandomToken returns an unguessable value for the state and nonce
// parameters; they tie the redirect and the ID token to this login attempt.
func RandomToken() string {
	return randomString()
}

func randomString() string {
	// On wasip1, crypto/rand reads the host's random_get, which every host
	// must wire to the OS's CSPRNG (wit/EMBEDDING.md). rand.Read cannot
	// fail: without randomness the program stops rather than carry on.
	b := make([]byte, secretBytes)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
