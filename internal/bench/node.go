package main

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/wasmlogin/wasmlogin/internal/testop"
)

// nodeRows time the Node host (examples/node): plugin load plus one token
// call, measured inside the process by bench.mjs, one fresh process per run
// so no run reuses another's compiled module; and, for information, the
// whole `node wasmlogin.mjs token` process. The Node host signs in first
// with its own keyring service, as a user of it would.
func (b *bench) nodeRows() {
	step("Node host: sign in, then plugin load + token")
	dir := filepath.Join(b.repo, "examples", "node")
	env := b.env("WASMLOGIN_KEYRING_SERVICE=" + b.service + "-node")
	node := func(args ...string) []string { return append([]string{b.tools.node, "--no-warnings"}, args...) }
	samples := filepath.Join(b.dir, "node-in-process.txt")

	var inProc, whole stats
	err := b.nodeInstalled(dir)
	if err == nil {
		err = b.run(env, node(filepath.Join(dir, "wasmlogin.mjs"), "login", "--issuer", b.op.Issuer,
			"--client-id", testop.NativeClientID, "--scopes", scopes)...)
	}
	var st []stats
	if st, err = b.timeAll(err, hyperfineRun{env: env, warmup: 2, cmds: [][]string{
		node(filepath.Join(dir, "bench.mjs"), "--out", samples),
		node(filepath.Join(dir, "wasmlogin.mjs"), "token")}}); err == nil {
		whole = st[1]
		var raw []byte
		if raw, err = os.ReadFile(samples); err == nil {
			var xs []float64
			// bench.mjs appends one line per process; the last ones are
			// hyperfine's timed runs (before them: the check run, warmups).
			if xs, err = parseSamples(string(raw), b.runs); err == nil {
				inProc = median(xs)
			}
		}
	}
	b.table.add(timeRow("Node host: plugin load + token, in process", inProc, 0.150, "150 ms", err))
	b.table.add(timeRow("  whole process, node wasmlogin.mjs token", whole, 0, "", err))
}

func (b *bench) nodeInstalled(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@extism", "extism")); err != nil {
		return errors.New("examples/node has no node_modules: run `npm ci --prefix examples/node` (make bench does)")
	}
	return nil
}
