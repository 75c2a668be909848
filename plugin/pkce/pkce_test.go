package pkce

import (
	"regexp"
	"testing"
)

var unreservedChars = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

func TestChallenge(t *testing.T) {
	tests := []struct {
		name, verifier, want string
	}{
		{"RFC 7636 appendix B", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"},
		{"empty input still hashes", "", "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Challenge(tt.verifier); got != tt.want {
				t.Errorf("Challenge(%q) = %q, want %q", tt.verifier, got, tt.want)
			}
		})
	}
}

func TestGeneratedValuesAreWellFormedAndDistinct(t *testing.T) {
	generators := map[string]func() string{
		"NewVerifier": NewVerifier,
		"RandomToken": RandomToken,
	}
	for name, gen := range generators {
		t.Run(name, func(t *testing.T) {
			seen := map[string]bool{}
			for range 50 {
				v := gen()
				if !unreservedChars.MatchString(v) {
					t.Fatalf("%q is not 43 base64url characters", v)
				}
				if seen[v] {
					t.Fatalf("%q generated twice", v)
				}
				seen[v] = true
			}
		})
	}
}
