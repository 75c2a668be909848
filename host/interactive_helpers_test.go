package main

import (
	"bufio"
	"bytes"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// running is a host process the test talks to while it runs: it reads
// stderr line by line as it comes (the user code, the URL) and may write
// to stdin (a pasted redirect URL).
type running struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout bytes.Buffer

	mu    sync.Mutex
	lines []string
	done  chan struct{} // stderr fully read
	exit  chan result
}

// start runs the host with the world's environment plus extra (which wins
// over the world's values).
func (w *world) start(t *testing.T, extra []string, args ...string) *running {
	t.Helper()
	r := &running{t: t, cmd: exec.Command(bins.host, args...), done: make(chan struct{}), exit: make(chan result, 1)}
	r.cmd.Env = append(append([]string{}, w.env...), extra...)
	r.cmd.Stdout = &r.stdout
	var err error
	if r.stdin, err = r.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	errPipe, err := r.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(r.done)
		sc := bufio.NewScanner(errPipe)
		for sc.Scan() {
			r.mu.Lock()
			r.lines = append(r.lines, sc.Text())
			r.mu.Unlock()
		}
	}()
	go func() {
		<-r.done // Wait closes the pipe: read it all first
		err := r.cmd.Wait()
		res := result{stdout: r.stdout.String(), stderr: r.stderrText()}
		if ee, ok := err.(*exec.ExitError); ok {
			res.code = ee.ExitCode()
		}
		r.exit <- res
	}()
	t.Cleanup(func() { r.cmd.Process.Kill() })
	return r
}

func (r *running) stderrText() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.lines, "\n")
}

// await returns the submatches of the first stderr line matching re,
// waiting for it up to timeout.
func (r *running) await(re string, timeout time.Duration) []string {
	r.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(timeout)
	for {
		r.mu.Lock()
		for _, l := range r.lines {
			if m := rx.FindStringSubmatch(l); m != nil {
				r.mu.Unlock()
				return m
			}
		}
		r.mu.Unlock()
		select {
		case <-r.done:
			r.t.Fatalf("the host ended without printing a line matching %q; stderr:\n%s", re, r.stderrText())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("no line matching %q within %s; stderr:\n%s", re, timeout, r.stderrText())
		}
	}
}

// wait returns the host's result once it exits.
func (r *running) wait(timeout time.Duration) result {
	r.t.Helper()
	select {
	case res := <-r.exit:
		return res
	case <-time.After(timeout):
		r.cmd.Process.Kill()
		r.t.Fatalf("the host did not exit within %s; stderr:\n%s", timeout, r.stderrText())
	}
	return result{}
}

// interrupt sends what Ctrl-C sends.
func (r *running) interrupt() {
	if err := r.cmd.Process.Signal(syscall.SIGINT); err != nil {
		r.t.Fatal(err)
	}
}
