//go:build !linux

package secretstore

import "github.com/zalando/go-keyring"

// osBackend is go-keyring's own backend: Keychain, Credential Manager, or
// the Secret Service on the BSDs.
func osBackend() keyringBackend { return osKeyring{} }

// osKeyring calls go-keyring once per operation.
type osKeyring struct{}

func (osKeyring) Get(service, user string) (string, error) {
	if err := sessionBusCheck(); err != nil {
		return "", err
	}
	return keyring.Get(service, user)
}

func (osKeyring) Set(service, user, value string) error {
	if err := sessionBusCheck(); err != nil {
		return err
	}
	return keyring.Set(service, user, value)
}

func (osKeyring) Delete(service, user string) error {
	if err := sessionBusCheck(); err != nil {
		return err
	}
	return keyring.Delete(service, user)
}
