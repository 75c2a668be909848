package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// stats are one command's timings in seconds.
type stats struct{ median, min, max float64 }

// hyperfineRun is one hyperfine invocation: its commands run in the same
// session, one after the other, with the same options and environment.
type hyperfineRun struct {
	env     []string
	warmup  int
	prepare string // shell command run before every run (warmup included), if set
	cmds    [][]string
	// ignoreFailure times commands that are meant to fail (and skips the
	// lone first run, whose failure would stop the measurement).
	ignoreFailure bool
}

// hyperfine times the commands and returns their stats in order. Each
// command first runs once on its own: a command that fails shows its own
// stderr here, where hyperfine would only say "non-zero exit code".
func (b *bench) hyperfine(h hyperfineRun) ([]stats, error) {
	for _, c := range h.cmds {
		if h.ignoreFailure {
			break
		}
		if h.prepare != "" {
			if err := b.run(h.env, "sh", "-c", h.prepare); err != nil {
				return nil, err
			}
		}
		if err := b.run(h.env, c...); err != nil {
			return nil, err
		}
	}
	b.seq++
	out := filepath.Join(b.dir, fmt.Sprintf("hyperfine-%d.json", b.seq))
	// -N: no intermediate shell, so a 5 ms command is not measured next to
	// a shell's start-up. Commands' output goes to /dev/null (hyperfine's
	// default): tokens are printed on stdout.
	args := []string{"-N", "--style", "none", "--runs", strconv.Itoa(b.runs),
		"--warmup", strconv.Itoa(h.warmup), "--export-json", out}
	if h.prepare != "" {
		// -N runs the preparation without a shell too.
		args = append(args, "--prepare", "sh -c "+shellJoin([]string{h.prepare}))
	}
	if h.ignoreFailure {
		args = append(args, "--ignore-failure")
	}
	for _, c := range h.cmds {
		args = append(args, shellJoin(c))
	}
	cmd := exec.Command(b.tools.hyperfine, args...)
	cmd.Env = h.env
	if o, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("hyperfine: %v\n%s", err, tail(o))
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		return nil, err
	}
	var res struct {
		Results []struct{ Median, Min, Max float64 }
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, fmt.Errorf("reading hyperfine's %s: %v", out, err)
	}
	if len(res.Results) != len(h.cmds) {
		return nil, fmt.Errorf("hyperfine reported %d results for %d commands", len(res.Results), len(h.cmds))
	}
	st := make([]stats, len(res.Results))
	for i, r := range res.Results {
		st[i] = stats{r.Median, r.Min, r.Max}
	}
	return st, nil
}

// peakRSS runs the command b.runs times under /usr/bin/time and returns the
// largest maximum resident set size, in KiB.
func (b *bench) peakRSS(env []string, c ...string) (int64, error) {
	out := filepath.Join(b.dir, "time.out")
	var peak int64
	for range b.runs {
		args := append([]string{"-f", "%M", "-o", out, "--"}, c...)
		if err := b.run(env, append([]string{b.tools.time}, args...)...); err != nil {
			return 0, err
		}
		raw, err := os.ReadFile(out)
		if err != nil {
			return 0, err
		}
		// GNU time writes the status line first if the command failed;
		// the figure is the last line.
		lines := strings.Fields(string(raw))
		kb, err := strconv.ParseInt(lines[len(lines)-1], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/usr/bin/time wrote %q", raw)
		}
		peak = max(peak, kb)
	}
	return peak, nil
}

// run runs a command to completion. Its stdout, which may carry a token,
// is discarded; its stderr is returned in the error if it fails.
func (b *bench) run(env []string, c ...string) error {
	_, stderr, err := b.output(env, c...)
	if err != nil {
		return fmt.Errorf("%s: %v\n%s", filepath.Base(c[0])+" "+strings.Join(c[1:], " "), err, tail(stderr))
	}
	return nil
}

// output runs a command and returns its stdout and stderr. Callers must not
// print stdout: for `token` it is a secret.
func (b *bench) output(env []string, c ...string) (stdout, stderr []byte, err error) {
	cmd := exec.Command(c[0], c[1:]...)
	cmd.Env = env
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.Bytes(), e.Bytes(), err
}

// shellJoin quotes each word for hyperfine, which splits -N commands the
// way a POSIX shell would.
func shellJoin(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}

func tail(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 2000 {
		s = "..." + s[len(s)-2000:]
	}
	return s
}
