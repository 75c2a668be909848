//go:build !wasip1

package pkce

import "crypto/rand"

// readRandom is crypto/rand for native builds (tests); the plugin uses
// random_wasip1.go.
func readRandom(b []byte) error {
	_, err := rand.Read(b)
	return err
}
