package cli

import (
	"bytes"
	"context"
	"flag"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Each command's help lists exactly the flags its parser accepts: every
// flag name any command knows is offered to every command's parser, and it
// must be refused there exactly when that command's help leaves it out.
func TestHelpListsExactlyTheFlagsEachCommandAccepts(t *testing.T) {
	all := map[string]bool{"no-such-flag": true}
	for _, s := range commandSpecs {
		(&command{name: s.name}).flags().VisitAll(func(f *flag.Flag) { all[f.Name] = true })
	}
	line := regexp.MustCompile(`^  --([a-z][a-z-]*)`)
	for _, s := range commandSpecs {
		var out, errb bytes.Buffer
		env := Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }, Program: "prog"}
		if code := Main(context.Background(), []string{s.name, "--help"}, env); code != ExitOK || errb.Len() != 0 {
			t.Fatalf("%s --help: exit %d, %s", s.name, code, errb.String())
		}
		listed := map[string]bool{}
		for _, l := range strings.Split(out.String(), "\n") {
			if m := line.FindStringSubmatch(l); m != nil {
				listed[m[1]] = true
			}
		}
		for name := range all {
			err := (&command{name: s.name}).flags().Parse([]string{"--" + name})
			accepted := err == nil || !strings.Contains(err.Error(), "provided but not defined")
			if accepted != listed[name] {
				t.Errorf("%s: --%s accepted=%v, listed in its help=%v", s.name, name, accepted, listed[name])
			}
		}
		if !strings.HasPrefix(out.String(), "Usage: prog "+s.name+" "+s.args+"\n\n"+wrap(s.summary, 0, 78)) {
			t.Errorf("%s --help starts:\n%s", s.name, out.String())
		}
	}
}

// Every flag says what it is for, and every command the runner knows has
// help (and the other way round).
func TestEveryFlagAndCommandIsDescribed(t *testing.T) {
	var names []string
	for _, s := range commandSpecs {
		names = append(names, s.name)
		if s.args == "" || s.summary == "" {
			t.Errorf("%s: no synopsis or summary", s.name)
		}
		(&command{name: s.name}).flags().VisitAll(func(f *flag.Flag) {
			if _, usage := flag.UnquoteUsage(f); len(usage) < 10 {
				t.Errorf("%s --%s: usage %q says nothing", s.name, f.Name, usage)
			}
		})
	}
	slices.Sort(names)
	for _, n := range names {
		var out, errb bytes.Buffer
		Main(context.Background(), []string{n, "--no-such-flag"}, Env{Stdout: &out, Stderr: &errb, Program: "prog"})
		if strings.Contains(errb.String(), "unknown command") {
			t.Errorf("%s has help but no runner", n)
		}
	}
	var out, errb bytes.Buffer
	Main(context.Background(), []string{"frobnicate"}, Env{Stdout: &out, Stderr: &errb, Program: "prog"})
	if !strings.Contains(errb.String(), "unknown command") {
		t.Fatal("an unknown command was accepted")
	}
}

func TestProgramName(t *testing.T) {
	for _, c := range []struct{ arg0, goRun, want string }{
		{"/usr/local/bin/wasmlogin", "", "wasmlogin"},
		{"wasmlogin", "go run ./host/cmd/wasmlogin", "wasmlogin"},
		{"/opt/tools/wasmlogin.exe", "", "wasmlogin"},
		{"/home/me/go/bin/host", "", "host"},
		{"/tmp/go-build1234567/b001/exe/host", "go run ./host", "go run ./host"},
		{"/tmp/go-build1234567/b001/exe/wasmlogin", "", "wasmlogin"},
		{"/root/.cache/go-build/3f/3f0c9a-d/host", "go run ./host", "go run ./host"},
		{"", "", "wasmlogin"},
	} {
		if got := ProgramName(c.arg0, c.goRun); got != c.want {
			t.Errorf("ProgramName(%q, %q) = %q, want %q", c.arg0, c.goRun, got, c.want)
		}
	}
}
