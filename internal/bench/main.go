// Command bench prints the table `make bench` shows: what wasmlogin costs,
// measured whole-process with public tools (hyperfine, /usr/bin/time, node)
// next to native Go programs doing the same job, all in one run on one
// machine, against the in-process test provider and the real keyring.
//
// It needs an unlocked Secret Service (the Makefile starts one in a D-Bus
// session) because the native token reader must read the same keyring
// entry as the host. A missed target is reported, not an error; a figure
// that could not be measured makes the run fail after the table is printed.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/wasmlogin/wasmlogin/internal/testop"
	"github.com/zalando/go-keyring"
)

type bench struct {
	repo    string // repository root (the working directory)
	dir     string // scratch: binaries, caches, profile index, exports
	runs    int
	seq     int
	tools   tools
	bin     map[string]string
	op      *testop.OP
	service string // WASMLOGIN_KEYRING_SERVICE of the Go host
	table   table
}

type tools struct{ hyperfine, time, node, flock, hyperfineVersion, nodeVersion string }

func main() {
	runs := flag.Int("runs", 10, "timed runs per figure (at least 10)")
	out := flag.String("out", "bench-results.txt", "also write the table here")
	flag.Parse()
	if err := mainErr(*runs, *out); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func mainErr(runs int, out string) error {
	if runs < 10 {
		return errors.New("-runs must be at least 10: the targets are medians of 10 runs or more")
	}
	repo, err := os.Getwd()
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(repo, "go.mod")); err != nil {
		return errors.New("run from the repository root (make bench does)")
	}
	b := &bench{repo: repo, runs: runs, service: fmt.Sprintf("wasmlogin-bench-%d", os.Getpid())}
	if b.tools, err = findTools(); err != nil {
		return err
	}
	if err := keyringReady(b.service); err != nil {
		return err
	}
	if b.dir, err = os.MkdirTemp("", "wasmlogin-bench-"); err != nil {
		return err
	}
	defer os.RemoveAll(b.dir)
	started, loadBefore := time.Now(), loadAvg()
	step("building the host and the native programs")
	if err := b.build(); err != nil {
		return err
	}
	if b.op, err = testop.Start(testop.Options{AccessTokenLifetime: time.Hour}); err != nil {
		return err
	}
	defer b.op.Close()
	defer b.forget()

	b.measureAll()

	// Other work on the machine shows in every figure; say how busy it was.
	b.table.note("load average (1 min) at start %s, at end %s, on %d CPUs", loadBefore, loadAvg(), runtime.NumCPU())
	text := b.header(time.Since(started)) + "\n" + b.table.String()
	fmt.Print("\n" + text)
	if out != "" {
		if err := os.WriteFile(out, []byte(text), 0o644); err != nil {
			return err
		}
	}
	if f := b.table.failed(); len(f) > 0 {
		return fmt.Errorf("%d figure(s) could not be measured (see NOT MEASURED above)", len(f))
	}
	return nil
}

// findTools names the Debian package for anything missing; nothing is
// installed here.
func findTools() (tools, error) {
	var t tools
	var missing []string
	for _, x := range []struct {
		path *string
		name string
		pkg  string
	}{{&t.hyperfine, "hyperfine", "hyperfine"}, {&t.time, "/usr/bin/time", "time"}, {&t.node, "node", "nodejs"}, {&t.flock, "flock", "util-linux"}} {
		p, err := exec.LookPath(x.name)
		if err != nil {
			missing = append(missing, fmt.Sprintf("%s (Debian package %s)", x.name, x.pkg))
			continue
		}
		*x.path = p
	}
	if len(missing) > 0 {
		return t, fmt.Errorf("missing: %s; install with apt-get install", strings.Join(missing, ", "))
	}
	v, err := exec.Command(t.hyperfine, "--version").Output()
	if err != nil {
		return t, fmt.Errorf("hyperfine --version: %v", err)
	}
	t.hyperfineVersion = strings.TrimSpace(string(v))
	if v, err = exec.Command(t.node, "--version").Output(); err != nil {
		return t, fmt.Errorf("node --version: %v", err)
	}
	t.nodeVersion = "node " + strings.TrimSpace(string(v))
	return t, nil
}

// keyringReady checks that the Secret Service answers: without it the host
// would fall back to its encrypted file and the native reader would have
// nothing to read.
func keyringReady(service string) error {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		return errors.New("no D-Bus session: run `make bench`, which starts one with an unlocked gnome-keyring " +
			"(Debian packages dbus and gnome-keyring)")
	}
	if err := keyring.Set(service, "probe", "probe"); err != nil {
		return fmt.Errorf("the Secret Service does not answer (%v): run `make bench`, which starts gnome-keyring unlocked", err)
	}
	return keyring.Delete(service, "probe")
}

// build compiles the programs the way a user builds the host: plain
// `go build`, the environment's cgo default, for all of them alike.
func (b *bench) build() error {
	pkgs := map[string]string{"wasmlogin": "./host", "autobrowser": "./internal/testop/cmd/autobrowser",
		"nativetoken": "./internal/bench/nativetoken", "nativelogin": "./internal/bench/nativelogin"}
	b.bin = map[string]string{}
	for name, pkg := range pkgs {
		b.bin[name] = filepath.Join(b.dir, name)
		cmd := exec.Command("go", "build", "-o", b.bin[name], pkg)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
		}
	}
	return nil
}

// env is the environment of every measured command: the caller's, minus
// any WASMLOGIN_ setting (a WASMLOGIN_STORE=file would change what is
// measured), plus an isolated profile index, cache and keyring service.
func (b *bench) env(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WASMLOGIN_") && !strings.HasPrefix(kv, "BROWSER=") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"WASMLOGIN_CONFIG_DIR="+filepath.Join(b.dir, "config"),
		"WASMLOGIN_CACHE_DIR="+filepath.Join(b.dir, "cache"),
		"WASMLOGIN_KEYRING_SERVICE="+b.service,
		"WASMLOGIN_NODE_CONFIG_DIR="+filepath.Join(b.dir, "node-config"),
		"BROWSER="+b.bin["autobrowser"],
		// An SSH session would turn the browser sign-in into a device flow.
		"SSH_CONNECTION=", "SSH_TTY=",
		"TESTOP_USERNAME="+b.op.Username, "TESTOP_PASSWORD="+b.op.Password)
	return append(env, extra...) // the last duplicate wins
}

// forget removes what the run stored in the keyring (the Makefile's keyring
// is thrown away anyway; a developer's is not).
func (b *bench) forget() {
	for _, s := range []string{b.service, b.service + "-native", b.service + "-node"} {
		_ = keyring.DeleteAll(s)
	}
}

func (b *bench) header(took time.Duration) string {
	host, _ := os.Hostname()
	return fmt.Sprintf("wasmlogin benchmark, %s on %s\n%s/%s, %d CPUs, %s; %s, %s, %s\n"+
		"medians of %d runs (min-max of those runs); MB = 10^6 bytes; whole run took %s\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), host, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(),
		cpuModel(), runtime.Version(), b.tools.hyperfineVersion, b.tools.nodeVersion, b.runs, took.Round(time.Second))
}

func cpuModel() string {
	raw, _ := os.ReadFile("/proc/cpuinfo")
	for _, l := range strings.Split(string(raw), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func loadAvg() string {
	raw, _ := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(raw)); len(f) > 0 {
		return f[0]
	}
	return "?"
}

func step(s string) { fmt.Fprintln(os.Stderr, "bench: "+s) }
