//go:build wasip1

package pkce

import "syscall"

// readRandom fills b from the host's random_get (WASI preview 1), the
// source crypto/rand reads on wasip1 too. crypto/rand is not used on
// purpose: in Go 1.26 it brings the FIPS 140 module (its DRBG with AES,
// SHA-2, SHA-3 and HMAC self-tests) into the Wasm plugin, about 180 kB, to
// then read random_get anyway outside FIPS mode, which a wasip1 plugin
// never runs in.
func readRandom(b []byte) error { return syscall.RandomGet(b) }
