// Package secretstore keeps refresh tokens, ID tokens and client secrets out
// of plain files. The OS keyring is the default; an encrypted file is the
// explicit alternative for machines that have none; memory serves tests and
// one-shot runs.
//
// There is deliberately no automatic fallback from the keyring to the file:
// silently writing secrets somewhere the user did not choose is the failure
// this package exists to prevent. When the keyring is unreachable, the error
// says so and names the opt-in alternative.
package secretstore

import "errors"

// Store holds secrets under string keys. Implementations are safe for
// concurrent use within one process.
type Store interface {
	// Get returns the value for key; found is false, with a nil error, when
	// nothing is stored under key.
	Get(key string) (value string, found bool, err error)
	// Set stores value under key, replacing any earlier value.
	Set(key, value string) error
	// Delete removes key. Deleting a key that does not exist is not an error.
	Delete(key string) error
	// Name identifies the backend in diagnostics: "keyring", "file" or "memory".
	Name() string
}

// ErrUnavailable is wrapped by errors meaning the backend could not be
// reached at all (no keyring daemon, a keyring that does not answer), as
// opposed to a backend that answered with a problem. Callers report it as
// api.CodeStorage.
var ErrUnavailable = errors.New("secret store unavailable")
