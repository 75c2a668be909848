package conformance_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGuestMatchesSource rebuilds the guest with the Makefile's own target
// (the flow plugin's flags: reproducible, no build ID, no paths) and fails
// when the committed guest.wasm differs, so that every host is tested with
// the guest that guest/ describes.
func TestGuestMatchesSource(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("make is not installed; the guest is rebuilt with the Makefile's conformance-guest target")
		}
		t.Skip("SKIPPED: make is not installed; the guest is rebuilt with the Makefile's conformance-guest target")
	}
	fresh := filepath.Join(t.TempDir(), "guest.wasm")
	cmd := exec.Command("make", "-s", "conformance-guest", "GUEST="+fresh)
	cmd.Dir = "../.."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the guest: %v\n%s", err, out)
	}
	built, err := os.ReadFile(fresh)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("guest.wasm")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(built, committed) {
		t.Fatalf("host/conformance/guest.wasm (%d bytes) is stale: a fresh build of guest/ has %d bytes; run `make conformance-guest` and commit it",
			len(committed), len(built))
	}
}
