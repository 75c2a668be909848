//go:build !linux

package secretstore

import (
	"errors"
	"fmt"
	"time"

	"github.com/zalando/go-keyring"
)

// osBackend is go-keyring's own backend: Keychain, Credential Manager, or
// the Secret Service on the BSDs. Its calls cannot be bounded from here;
// keyringStore.call abandons one that outlives the timeout.
func osBackend(time.Duration) keyringBackend { return osKeyring{} }

// osKeyring calls go-keyring once per operation and translates its errors
// into the backend contract (errNotFound, errTooBig).
type osKeyring struct{}

func (osKeyring) Get(service, user string) (string, error) {
	if err := sessionBusCheck(); err != nil {
		return "", err
	}
	v, err := keyring.Get(service, user)
	return v, translate(err)
}

func (osKeyring) Set(service, user, value string) error {
	if err := sessionBusCheck(); err != nil {
		return err
	}
	return translate(keyring.Set(service, user, value))
}

func (osKeyring) Delete(service, user string) error {
	if err := sessionBusCheck(); err != nil {
		return err
	}
	return translate(keyring.Delete(service, user))
}

func translate(err error) error {
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return errNotFound
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return fmt.Errorf("%w: %v", errTooBig, err)
	}
	return err
}
