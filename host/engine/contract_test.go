package engine

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
	"go.bytecodealliance.org/wit"

	"github.com/wasmlogin/wasmlogin/host/internal/wasm"
)

// The WIT world in wit/ is the contract every host implements. This test
// holds the compiled plugin's real exports and extism:host/user imports
// (interfaces host and crypto) to it (kebab-case in WIT is snake_case in
// Extism), and the Go host's own host functions too, so none of the three
// can drift from the others.
func TestCompiledModuleMatchesWIT(t *testing.T) {
	res, err := wit.LoadWIT("../../wit")
	if err != nil {
		t.Fatalf("wit/ does not validate: %v", err)
	}
	world := findWorld(t, res, "flow-plugin")
	var witExports, witImports []string
	for name, item := range world.Exports.All() {
		if _, ok := item.(*wit.Function); !ok {
			t.Fatalf("export %s is not a function", name)
		}
		witExports = append(witExports, snake(name))
	}
	// Every function of every imported interface (host, crypto) is an
	// extism:host/user import.
	var interfaces []string
	for _, item := range world.Imports.All() {
		ref, ok := item.(*wit.InterfaceRef)
		if !ok || ref.Interface.Name == nil || ref.Interface.Functions.Len() == 0 {
			continue
		}
		interfaces = append(interfaces, *ref.Interface.Name)
		for name := range ref.Interface.Functions.All() {
			witImports = append(witImports, snake(name))
		}
	}
	same(t, "interfaces with functions the world imports", interfaces, "the expected", []string{"host", "crypto"})

	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	defer rt.Close(ctx)
	mod, err := rt.CompileModule(ctx, wasm.Module)
	if err != nil {
		t.Fatal(err)
	}
	var exports, imports []string
	for name := range mod.ExportedFunctions() {
		if name != "_initialize" { // the Go runtime's reactor entry, not part of the contract
			exports = append(exports, name)
		}
	}
	for _, f := range mod.ImportedFunctions() {
		if module, name, _ := f.Import(); module == "extism:host/user" {
			imports = append(imports, name)
		}
	}
	same(t, "exports of plugin.wasm", exports, "the world's exports", witExports)
	same(t, "extism:host/user imports of plugin.wasm", imports, "interfaces host and crypto", witImports)
	same(t, "host functions of the Go host", HostFunctionNames, "interfaces host and crypto", witImports)
}

func findWorld(t *testing.T, res *wit.Resolve, name string) *wit.World {
	for _, w := range res.Worlds {
		if w.Name == name {
			return w
		}
	}
	t.Fatalf("wit/ has no world %q", name)
	return nil
}

func snake(s string) string { return strings.ReplaceAll(s, "-", "_") }

func same(t *testing.T, gotName string, got []string, wantName string, want []string) {
	t.Helper()
	got, want = slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		t.Errorf("%s %v differ from %s %v", gotName, got, wantName, want)
	}
}
