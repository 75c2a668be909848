package flow

import (
	"go/ast"
	"go/constant"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"strings"
	"testing"
)

// TestFailfCallSites stands in for go vet's printf check, which does not
// know sprintf: every failf call in the package must pass a constant
// format whose verbs sprintf formats exactly as fmt would, with one
// argument of a fitting type per verb.
func TestFailfCallSites(t *testing.T) {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, e := range entries {
		if name := e.Name(); strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			f, err := parser.ParseFile(fset, name, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}}
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil)}
	if _, err := conf.Check("flow", fset, files, info); err != nil {
		t.Fatal(err)
	}
	errorType := types.Universe.Lookup("error").Type().Underlying().(*types.Interface)
	stringer := types.NewInterfaceType([]*types.Func{types.NewFunc(token.NoPos, nil, "String",
		types.NewSignatureType(nil, nil, nil, nil, types.NewTuple(types.NewVar(token.NoPos, nil, "", types.Typ[types.String])), false))}, nil).Complete()
	calls := 0
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "failf" && id.Name != "sprintf" || call.Ellipsis.IsValid() {
				return true
			}
			calls++
			pos := fset.Position(call.Pos())
			formatArg := 1
			if call.Fun.(*ast.Ident).Name == "sprintf" {
				formatArg = 0
			}
			tv := info.Types[call.Args[formatArg]]
			if tv.Value == nil || tv.Value.Kind() != constant.String {
				t.Errorf("%s: the format is not a constant string", pos)
				return true
			}
			format := constant.StringVal(tv.Value)
			args := call.Args[formatArg+1:]
			next := 0
			for i := 0; i < len(format); i++ {
				if format[i] != '%' {
					continue
				}
				i++
				if i == len(format) {
					t.Errorf("%s: format ends with %%", pos)
					break
				}
				verb := format[i]
				if verb == '%' {
					continue
				}
				if next == len(args) {
					t.Errorf("%s: %%%c has no argument", pos, verb)
					break
				}
				typ := info.Types[args[next]].Type
				next++
				isInt := types.Identical(typ, types.Typ[types.Int])
				isText := types.Identical(typ, types.Typ[types.String]) || types.Implements(typ, errorType) || types.Implements(typ, stringer)
				switch {
				case verb == 'd' && isInt, verb == 'v' && (isInt || isText), (verb == 's' || verb == 'q') && isText:
				default:
					t.Errorf("%s: %%%c with an argument of type %s, which sprintf does not format like fmt", pos, verb, typ)
				}
			}
			if next != len(args) {
				t.Errorf("%s: %d arguments for %d verbs", pos, len(args), next)
			}
			return true
		})
	}
	if calls < 30 {
		t.Fatalf("found only %d failf calls; is the test still looking at the package?", calls)
	}
}
