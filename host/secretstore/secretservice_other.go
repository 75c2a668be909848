//go:build !linux

package secretstore

// osBackend is go-keyring's own backend: Keychain, Credential Manager, or
// the Secret Service on the BSDs.
func osBackend() keyringBackend { return osKeyring{} }
