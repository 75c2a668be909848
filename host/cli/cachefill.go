package cli

import (
	"context"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"github.com/wasmlogin/wasmlogin/host/engine"
)

// The first command after an install (or an upgrade, which changes the
// plugin's hash) finds no compiled plugin. Compiling it would cost most of
// a second; instead the command runs the plugin on wazero's interpreter,
// and this program starts a copy of itself in the background whose only job
// is to compile the plugin into the cache (engine.FillCache) for the next
// command. A child process, not a goroutine: a goroutine would have to
// finish (holding the command's exit back to about the compile's own
// length, slower than compiling up front) or be abandoned (leaving the
// cache empty for the next command too). The child starts with the command,
// at the lowest priority, so a sign-in's wait for the browser compiles for
// free and a short command is barely slowed (lowerPriority has figures).
//
// The child ends when the cache is filled; it is single-flight across
// processes (the cache's fill lock), publishes atomically (the cache's
// rename), and never runs longer than fillDeadline.

// fillCacheCommand is the hidden command line of the background filler.
const fillCacheCommand = "internal-fill-cache"

// fillDeadline ends a filler that, on a machine far busier than any
// expected, has not finished: no process outlives its job by much.
const fillDeadline = 5 * time.Minute

// readyWait bounds how long a command waits, before exiting, for its
// filler to report that it holds the fill lock (a few milliseconds of
// process start, normally long over by then).
const readyWait = 10 * time.Second

// backgroundFill is a started filler, seen from the command.
type backgroundFill struct {
	ready *os.File // closed by the child once it holds the lock or gave up
}

// startFill starts the filler. It reports failure by returning nil: the
// command goes on interpreted, and the next one tries again.
func (c *command) startFill() *backgroundFill {
	self, err := os.Executable()
	if err != nil {
		return nil
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil
	}
	defer w.Close()
	cmd := exec.Command(self, fillCacheCommand)
	cmd.Env = append(os.Environ(), "WASMLOGIN_CACHE_DIR="+c.env.Getenv("WASMLOGIN_CACHE_DIR"))
	cmd.Stdout = w // stdin and stderr are the null device
	if err := cmd.Start(); err != nil {
		r.Close()
		return nil
	}
	go cmd.Wait() // reap it should it end while this command still runs
	return &backgroundFill{ready: r}
}

// wait returns once the filler holds the fill lock, or decided not to
// fill, so that when this command exits, anyone waiting on the lock (the
// next command that compiles in process, a test) waits for the filler too.
func (f *backgroundFill) wait() {
	if f == nil {
		return
	}
	f.ready.SetReadDeadline(time.Now().Add(readyWait)) // not every platform has pipe deadlines
	io.Copy(io.Discard, f.ready)
	f.ready.Close()
}

// fillCache is the filler itself. Its exit status is for a person running
// it by hand; the command that started it does not read it.
func fillCache(ctx context.Context, env Env) int {
	// The command that started it may be gone before the filler reports:
	// a closed pipe must not end the filler.
	signal.Ignore(syscall.SIGPIPE)
	time.AfterFunc(fillDeadline, func() { os.Exit(ExitFailure) })
	lowerPriority()
	err := engine.FillCache(ctx, engine.Options{CacheDir: env.Getenv("WASMLOGIN_CACHE_DIR")}, func(bool) {
		os.Stdout.Close() // ready
	})
	if err != nil {
		return ExitFailure
	}
	return ExitOK
}
