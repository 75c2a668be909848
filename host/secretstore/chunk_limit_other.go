//go:build !linux

package secretstore

// Windows Credential Manager stops at 2560 bytes and macOS's security tool
// at about 3000 after base64; 2000 leaves room on both.
const maxEntryBytes = 2000
