package cli

import (
	"context"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
)

// defaultProgram names this program where nothing better is known: the
// name `go install .../host/cmd/wasmlogin` gives it.
const defaultProgram = "wasmlogin"

// ProgramName is how help and messages name this program: as the user
// invoked it (the executable's name, without .exe), so copied commands
// work. `go run` builds into a go-build directory under a name the user
// never typed: a temporary one (.../go-build123/b001/exe/host) or, since
// Go 1.24, the build cache (.../go-build/ab/abcd...-d/host); then goRun, the go run command line that builds
// this main package (e.g. "go run ./host"), is what they can type again,
// or defaultProgram when goRun is empty.
func ProgramName(arg0, goRun string) string {
	dir, base := filepath.Split(filepath.Clean(arg0))
	if base == "" || base == "." {
		return defaultProgram
	}
	if strings.Contains(filepath.ToSlash(dir), "/go-build") {
		if goRun != "" {
			return goRun
		}
		return defaultProgram
	}
	return strings.TrimSuffix(base, ".exe")
}

// RunExecutable is the whole main function of an executable of this
// program (host/ for `go run ./host`, host/cmd/wasmlogin when installed):
// goRun is the go run command line that builds it, for help text. It
// returns the exit code.
func RunExecutable(goRun string) int {
	env := Std()
	env.Program = ProgramName(os.Args[0], goRun)
	env.FillCacheInBackground = true // this is the executable cachefill.go starts
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return Main(ctx, os.Args[1:], env)
}
