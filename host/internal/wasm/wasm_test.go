package wasm

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestEmbeddedMatchesSource rebuilds the plugin with the Makefile's flags
// and fails when the committed plugin.wasm differs: run `make wasm` and
// commit the result.
func TestEmbeddedMatchesSource(t *testing.T) {
	mk, err := os.ReadFile("../../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	flags := makeVar(t, string(mk), "WASMFLAGS")
	out := filepath.Join(t.TempDir(), "plugin.wasm")
	args := append([]string{"build"}, splitFlags(flags)...)
	args = append(args, "-o", out, "./plugin")
	cmd := exec.Command("go", args...)
	cmd.Dir = "../../.."
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the plugin: %v\n%s", err, b)
	}
	fresh, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fresh, Module) {
		t.Fatalf("host/internal/wasm/plugin.wasm (%d bytes) is stale: a fresh build of plugin/ has %d bytes; run `make wasm` and commit it", len(Module), len(fresh))
	}
}

func makeVar(t *testing.T, makefile, name string) string {
	for _, line := range strings.Split(makefile, "\n") {
		if k, v, ok := strings.Cut(line, ":="); ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("Makefile has no %s", name)
	return ""
}

// splitFlags splits the Makefile's flag string, honouring single quotes.
func splitFlags(s string) []string {
	var out []string
	var cur strings.Builder
	quoted, any := false, false
	for _, r := range s {
		switch {
		case r == '\'':
			quoted, any = !quoted, true
		case r == ' ' && !quoted:
			if any {
				out = append(out, cur.String())
				cur.Reset()
				any = false
			}
		default:
			cur.WriteRune(r)
			any = true
		}
	}
	if any {
		out = append(out, cur.String())
	}
	return out
}
