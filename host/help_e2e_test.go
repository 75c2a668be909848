package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Help, through the real binary: named as the program was invoked, and
// for each command exactly the flags it takes.

// commandFlags is the command line's surface: what each command accepts.
// Adding a flag means adding it here; help and parser come from one
// definition (host/cli/flags.go), which host/cli's tests hold together.
var commandFlags = map[string][]string{
	"login": {"auth-method", "auth-param", "auth-url", "ca-file", "client-cert", "client-credentials", "client-id", "client-key",
		"client-secret-env", "client-secret-prompt", "device", "device-url", "git-host", "issuer", "json", "jwks-url", "no-browser", "no-open",
		"profile", "provider", "redirect-host", "redirect-path", "redirect-port", "revocation-url", "scopes", "store", "tenant",
		"timeout", "token-url", "verbose"},
	"token":    {"ca-file", "client-cert", "client-id", "client-key", "force-refresh", "header", "issuer", "json", "profile", "store", "verbose"},
	"status":   {"client-id", "issuer", "json", "profile", "store"},
	"logout":   {"ca-file", "client-cert", "client-id", "client-key", "issuer", "json", "profile", "store", "verbose"},
	"userinfo": {"ca-file", "client-cert", "client-id", "client-key", "issuer", "json", "profile", "store", "verbose"},
	"profiles": {"json"},
	"use":      {},
	"exchange": {"audience", "ca-file", "client-cert", "client-id", "client-key", "issuer", "json", "profile", "requested-token-type",
		"resource", "scopes", "store", "subject-profile", "subject-token-stdin", "subject-token-type", "verbose"},
	"kubectl-credential": {"ca-file", "client-cert", "client-id", "client-key", "issuer", "profile", "store", "verbose"},
	"git-credential":     {"ca-file", "client-cert", "client-id", "client-key", "issuer", "profile", "store", "username", "verbose"},
	"exec":               {"ca-file", "client-cert", "client-id", "client-key", "env", "issuer", "profile", "store", "verbose"},
	"mcp login": {"ca-file", "client-cert", "client-credentials", "client-id", "client-key", "client-metadata-url", "client-secret-env",
		"idp-client-id", "idp-client-secret-env", "idp-id-token-env", "idp-token-endpoint", "json", "no-browser", "no-open",
		"private-key-file", "redirect-host", "redirect-path", "redirect-port", "resource", "scopes", "signing-alg", "store", "timeout",
		"token-auth-method"},
	"mcp token":  {"ca-file", "client-cert", "client-key", "force-refresh", "header", "json", "resource", "store", "verbose"},
	"mcp status": {"json", "resource", "store"},
	"mcp logout": {"ca-file", "client-cert", "client-key", "json", "resource", "store", "verbose"},
	"mcp proxy": {"ca-file", "client-cert", "client-credentials", "client-id", "client-key", "client-metadata-url", "client-secret-env",
		"idp-client-id", "idp-client-secret-env", "idp-id-token-env", "idp-token-endpoint", "no-open", "private-key-file",
		"redirect-host", "redirect-path", "redirect-port", "scopes", "signing-alg", "store", "timeout", "token-auth-method"},
}

var helpFlagLine = regexp.MustCompile(`^  --([a-z][a-z-]*)(?: \S+)?(?:\s{2,}(\S.*))?$`)

func TestEveryCommandHasItsOwnHelp(t *testing.T) {
	w := &world{t: t, env: os.Environ()}
	for name, want := range commandFlags {
		words := strings.Fields(name) // "mcp login" is two
		for _, asked := range [][]string{append(slices.Clone(words), "--help"), append(slices.Clone(words), "-h"), append([]string{"help"}, words...)} {
			r := w.run(asked...)
			if r.code != 0 || r.stderr != "" || !strings.HasPrefix(r.stdout, "Usage: host "+name+" ") {
				t.Fatalf("%v: exit %d, stdout:\n%s\nstderr: %s", asked, r.code, r.stdout, r.stderr)
			}
			if strings.Contains(r.stdout, "Commands:") {
				t.Fatalf("%v printed the overall help:\n%s", asked, r.stdout)
			}
			var listed []string
			lines := strings.Split(r.stdout, "\n")
			for i, l := range lines {
				m := helpFlagLine.FindStringSubmatch(l)
				if m == nil {
					continue
				}
				listed = append(listed, m[1])
				if m[2] == "" && (i+1 == len(lines) || !strings.HasPrefix(lines[i+1], strings.Repeat(" ", 30))) {
					t.Errorf("%s: --%s has no description", name, m[1])
				}
			}
			if !slices.Equal(listed, want) {
				t.Fatalf("%s --help lists %v\nwant %v\n%s", name, listed, want, r.stdout)
			}
		}
	}
	// A flag of another command is refused, and the message says where to look.
	r := w.run("status", "--force-refresh")
	if r.code != 2 || !strings.Contains(r.stderr, "status: unknown flag --force-refresh; `host status --help` lists its flags") {
		t.Fatalf("status --force-refresh: exit %d %q", r.code, r.stderr)
	}
	if r := w.run("--help"); r.code != 0 {
		t.Fatalf("--help: exit %d", r.code)
	} else {
		for name := range commandFlags {
			if !regexp.MustCompile(`(?m)^  ` + name + ` +\S`).MatchString(r.stdout) {
				t.Errorf("the overall help does not list %s:\n%s", name, r.stdout)
			}
		}
	}
}

// The program is named as it was invoked: `go install` of host/cmd/wasmlogin
// gives wasmlogin, `go run ./host` shows that command line, and a copy
// under any other name uses that name.
func TestUsageNamesTheProgramAsInvoked(t *testing.T) {
	dir := t.TempDir()
	wasmlogin := filepath.Join(dir, "wasmlogin")
	if out, err := exec.Command("go", "build", "-o", wasmlogin, "./cmd/wasmlogin").CombinedOutput(); err != nil {
		t.Fatalf("building host/cmd/wasmlogin: %v\n%s", err, out)
	}
	renamed := filepath.Join(dir, "corp-login")
	if err := os.Symlink(bins.host, renamed); err != nil {
		t.Fatal(err)
	}
	goRun := exec.Command("go", "run", "./host", "token", "--help")
	goRun.Dir = ".."
	for _, c := range []struct {
		cmd  *exec.Cmd
		want string
	}{
		{exec.Command(wasmlogin, "--help"), "Usage: wasmlogin COMMAND [flags]\n"},
		{exec.Command(wasmlogin, "login", "--help"), "Usage: wasmlogin login --issuer URL --client-id ID [flags]\n"},
		{exec.Command(bins.host, "--help"), "Usage: host COMMAND [flags]\n"},
		{exec.Command(renamed, "use", "--help"), "Usage: corp-login use NAME\n"},
		{goRun, "Usage: go run ./host token [flags]\n"},
	} {
		out, err := c.cmd.Output()
		if err != nil || !strings.Contains(string(out), c.want) {
			t.Errorf("%v: %v\n%s", c.cmd.Args, err, out)
		}
		if !strings.HasSuffix(c.want, "COMMAND [flags]\n") {
			continue
		}
		prog := strings.TrimSuffix(strings.TrimPrefix(c.want, "Usage: "), " COMMAND [flags]\n")
		if strings.Contains(string(out), "\n  host ") && prog != "host" {
			t.Errorf("%v: the examples still say host:\n%s", c.cmd.Args, out)
		}
	}
	// Messages that name a command use the same name.
	r := exec.Command(wasmlogin, "frobnicate")
	out, _ := r.CombinedOutput()
	if !strings.Contains(string(out), "`wasmlogin --help` lists the commands") {
		t.Errorf("unknown command: %s", out)
	}
}
