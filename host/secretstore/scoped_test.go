package secretstore

import (
	"errors"
	"strings"
	"testing"
)

// An instance granted profile A neither reads nor writes nor deletes
// profile B's entries, and the refusal says which profile it lacks.
func TestScopedKeepsOtherProfilesOut(t *testing.T) {
	under := Memory()
	under.Set("profile/B", "B's record")
	under.Set("served/B", "B's token")
	under.Set("profile/A#1", "a look-alike of A's part")
	s := Scoped(under, "A")

	for _, key := range []string{"profile/B", "served/B", "profile/A#1", "profile/", "served/", "profile/AB", "client-secret", "chunk/1/profile/A"} {
		v, found, err := s.Get(key)
		if !errors.Is(err, ErrDenied) || found || v != "" {
			t.Errorf("Get(%q) = %q, %v, %v; want denied", key, v, found, err)
		}
		if err := s.Set(key, "overwritten"); !errors.Is(err, ErrDenied) {
			t.Errorf("Set(%q) = %v; want denied", key, err)
		}
		if err := s.Delete(key); !errors.Is(err, ErrDenied) {
			t.Errorf("Delete(%q) = %v; want denied", key, err)
		}
	}
	_, _, err := s.Get("profile/B")
	if err == nil || !strings.Contains(err.Error(), `did not grant this instance profile "B"`) {
		t.Errorf("the refusal does not name the profile: %v", err)
	}
	if v, _, _ := under.Get("profile/B"); v != "B's record" {
		t.Fatalf("B's record became %q", v)
	}
	if v, _, _ := under.Get("served/B"); v != "B's token" {
		t.Fatalf("B's served token became %q", v)
	}
}

func TestScopedServesTheGrant(t *testing.T) {
	under := Memory()
	s := Scoped(under, "A", "subject")
	for _, key := range []string{"profile/A", "served/A", "profile/subject", "served/subject"} {
		if err := s.Set(key, "v "+key); err != nil {
			t.Fatal(err)
		}
		if v, found, err := s.Get(key); err != nil || !found || v != "v "+key {
			t.Fatalf("Get(%q) = %q, %v, %v", key, v, found, err)
		}
		if err := s.Delete(key); err != nil {
			t.Fatal(err)
		}
	}
	if s.Name() != "memory" {
		t.Fatal(s.Name())
	}
}

// The default profile is a name, not a secret: any instance reads it, but
// it names only a granted profile as the default, and clears it only
// while it names one.
func TestScopedDefaultProfile(t *testing.T) {
	under := Memory()
	s := Scoped(under, "A")
	if err := s.Set("default-profile", "B"); !errors.Is(err, ErrDenied) {
		t.Fatalf("setting another profile as default: %v", err)
	}
	if err := s.Set("default-profile", "A"); err != nil {
		t.Fatal(err)
	}
	under.Set("default-profile", "B")
	if v, _, err := s.Get("default-profile"); err != nil || v != "B" {
		t.Fatalf("reading the default: %q, %v", v, err)
	}
	if err := s.Delete("default-profile"); !errors.Is(err, ErrDenied) {
		t.Fatalf("clearing B as the default: %v", err)
	}
	under.Set("default-profile", "A")
	if err := s.Delete("default-profile"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("default-profile"); err != nil {
		t.Fatalf("clearing a missing default: %v", err)
	}
}

// A private key the host signs with (host/signing) is never served to the
// plugin, not even for a granted profile: the plugin asks the host to sign.
func TestScopedNeverServesSigningKeys(t *testing.T) {
	under := Memory()
	under.Set(SigningKey("A"), "-----BEGIN PRIVATE KEY-----")
	s := Scoped(under, "A")
	v, found, err := s.Get(SigningKey("A"))
	if !errors.Is(err, ErrDenied) || found || v != "" || !strings.Contains(err.Error(), "never to hand out") {
		t.Errorf("Get = %q, %v, %v; want denied", v, found, err)
	}
	if err := s.Set(SigningKey("A"), "replaced"); !errors.Is(err, ErrDenied) {
		t.Errorf("Set = %v; want denied", err)
	}
	if err := s.Delete(SigningKey("A")); !errors.Is(err, ErrDenied) {
		t.Errorf("Delete = %v; want denied", err)
	}
	if v, _, _ := under.Get(SigningKey("A")); v != "-----BEGIN PRIVATE KEY-----" {
		t.Errorf("the key became %q", v)
	}
}
