package secretstore

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// ErrDenied is wrapped by the errors of a Scoped store for a key outside
// its grant. The secret host functions report it with the code "denied"
// (api.HostDenied), not as an unreachable store.
var ErrDenied = errors.New("denied")

// The keys the plugin keeps a profile under (plugin/flow/record.go,
// api.ServedKey). A grant is stated in these terms, so a change of names
// in the plugin shows up as denied calls in the end-to-end tests.
const (
	recordKeyPrefix   = "profile/"
	defaultProfileKey = "default-profile"
)

var servedKeyPrefix = api.ServedKey("")

// signingKeyPrefix names the private keys the host signs with for a
// profile (host/signing). No grant serves them: the plugin asks the host to
// sign (crypto.sign) and never sees a key.
const signingKeyPrefix = "signing-key/"

// SigningKey is the store key of profile's private signing key.
func SigningKey(profile string) string { return signingKeyPrefix + profile }

// Scoped lends one plugin instance the secrets of the profiles it was
// started for, and nothing else: every instance shares the user's one
// keyring, and without a scope an instance started for profile A could
// read and overwrite profile B's tokens and client secret.
//
// It serves "profile/<p>" and "served/<p>" for each granted p. It lets the
// instance read "default-profile" (a profile name, no secret), set it only
// to a granted profile, and delete it only while it names one. Any other
// key is refused with an error wrapping ErrDenied.
func Scoped(s Store, granted ...string) Store {
	return &scopedStore{next: s, granted: slices.Clone(granted)}
}

type scopedStore struct {
	next    Store
	granted []string
}

func (s *scopedStore) Name() string { return s.next.Name() }

func (s *scopedStore) Get(key string) (string, bool, error) {
	if key != defaultProfileKey {
		if err := s.allow(key); err != nil {
			return "", false, err
		}
	}
	return s.next.Get(key)
}

func (s *scopedStore) Set(key, value string) error {
	if key == defaultProfileKey {
		if !slices.Contains(s.granted, value) {
			return s.denied(value, "make it the default")
		}
	} else if err := s.allow(key); err != nil {
		return err
	}
	return s.next.Set(key, value)
}

func (s *scopedStore) Delete(key string) error {
	if key == defaultProfileKey {
		current, found, err := s.next.Get(key)
		if err != nil {
			return err
		}
		if found && !slices.Contains(s.granted, current) {
			return s.denied(current, "clear it as the default")
		}
	} else if err := s.allow(key); err != nil {
		return err
	}
	return s.next.Delete(key)
}

// allow passes a profile's record or served token of a granted profile.
// A signing key is refused whatever the grant.
func (s *scopedStore) allow(key string) error {
	if strings.HasPrefix(key, signingKeyPrefix) {
		return fmt.Errorf("%w: the host keeps private keys to sign with for the plugin, never to hand out (%q)", ErrDenied, key)
	}
	profile, ok := strings.CutPrefix(key, recordKeyPrefix)
	if !ok {
		profile, ok = strings.CutPrefix(key, servedKeyPrefix)
	}
	if !ok {
		return fmt.Errorf("%w: the host keeps no secret %q for the plugin; it serves %s, %s and %s entries only",
			ErrDenied, key, recordKeyPrefix+"<profile>", servedKeyPrefix+"<profile>", defaultProfileKey)
	}
	if !slices.Contains(s.granted, profile) {
		return s.denied(profile, "use its secrets")
	}
	return nil
}

func (s *scopedStore) denied(profile, doing string) error {
	return fmt.Errorf("%w: the host did not grant this instance profile %q, so it may not %s (granted: %s)",
		ErrDenied, profile, doing, s.grantText())
}

func (s *scopedStore) grantText() string {
	if len(s.granted) == 0 {
		return "none"
	}
	quoted := make([]string, len(s.granted))
	for i, p := range s.granted {
		quoted[i] = fmt.Sprintf("%q", p)
	}
	return strings.Join(quoted, ", ")
}
