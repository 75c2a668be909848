package profiles

import "fmt"

// MaxNameLength bounds a profile name. A derived name is issuer host and
// path plus the client ID (plugin/flow.DeriveProfile), about 100
// characters for a Microsoft tenant; 255 leaves room and keeps keyring
// entry names far below every platform's limit.
const MaxNameLength = 255

// CheckName says whether name can be given to a new profile: 1 to
// MaxNameLength printable ASCII characters other than the space
// (0x21-0x7E). That holds every name users chose in practice and every
// name the plugin derives, whose host and path are RFC 3986 characters and
// whose client ID is RFC 6749's VSCHAR (A.1) without the space. It leaves
// out control characters, which keyrings and terminals treat
// inconsistently, and spaces and non-ASCII letters, with which two
// different profiles can look the same in a list or in an error saying
// which profile an instance was granted.
//
// The name is the whole key of the profile's secrets ("profile/<name>",
// "served/<name>"), so "#", "/" and ":" are allowed: the secret store
// keeps the parts of long values in a namespace no name reaches.
func CheckName(name string) error {
	if name == "" || len(name) > MaxNameLength {
		return fmt.Errorf("a profile name has 1 to %d characters, this one %d", MaxNameLength, len(name))
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x21 || c > 0x7e {
			return fmt.Errorf("a profile name is printable ASCII without spaces (letters, digits, and . _ @ - : / # and the like); %q has %q at byte %d", name, c, i)
		}
	}
	return nil
}
