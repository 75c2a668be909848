package engine

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.bytecodealliance.org/wit"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// The embedded plugin speaks this host's contract.
func TestEmbeddedPluginDescribesItsContract(t *testing.T) {
	ctx := context.Background()
	rt, err := New(ctx, Options{CacheDir: "-"})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	inst, err := rt.Instance(ctx, &Services{})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	info, err := call[api.PluginInfo](ctx, inst, "describe", api.Empty{})
	if err != nil || info.Contract != api.Contract || info.Version != api.Version {
		t.Fatalf("describe = %+v, %v; want version %s, contract %s", info, err, api.Version, api.Contract)
	}
}

// A plugin of another contract is refused before any call, and the
// message names both versions.
func TestPluginOfAnotherContractRefused(t *testing.T) {
	out := filepath.Join(t.TempDir(), "other.wasm")
	cmd := exec.Command("go", "build", "-buildmode=c-shared", "-o", out, "./testdata/othercontract")
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the test module: %v\n%s", err, b)
	}
	module, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rt, err := New(ctx, Options{CacheDir: "-", Module: module})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	_, err = rt.Instance(ctx, &Services{})
	if err == nil || !strings.Contains(err.Error(), "contract 0.1.0") || !strings.Contains(err.Error(), "contract "+api.Contract) {
		t.Fatalf("a plugin of contract 0.1.0 was not refused by name: %v", err)
	}
}

// api.Contract is the version of the WIT package, so the two cannot drift.
func TestContractIsTheWITPackageVersion(t *testing.T) {
	res, err := wit.LoadWIT("../../wit")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Packages {
		if p.Name.Namespace == "wasmlogin" && p.Name.Package == "flow" {
			if p.Name.Version == nil || p.Name.Version.String() != api.Contract {
				t.Fatalf("wit/flow.wit is %s; api.Contract is %s", p.Name.String(), api.Contract)
			}
			return
		}
	}
	t.Fatal("wit/ has no package wasmlogin:flow")
}
