package main

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/wasmlogin/wasmlogin/internal/testop"
)

// nodeRows time the Node.js package (host/node, run from its folder): the
// plugin's load plus one token call, and the token served from the keyring
// without the plugin, each measured inside the process by bench.mjs, one
// fresh process per run so no run reuses another's compiled module; and,
// for information, the whole `wasmlogin token` process. The package signs
// in first with its own keyring service, as a user of it would.
func (b *bench) nodeRows() {
	step("Node package: sign in, then plugin load + token")
	dir := filepath.Join(b.repo, "host", "node")
	env := b.env("WASMLOGIN_KEYRING_SERVICE=" + b.service + "-node")
	node := func(args ...string) []string { return append([]string{b.tools.node, "--no-warnings"}, args...) }
	cli := filepath.Join(dir, "bin", "wasmlogin.js")
	bench := filepath.Join(dir, "bench", "bench.mjs")
	loaded, served := filepath.Join(b.dir, "node-in-process.txt"), filepath.Join(b.dir, "node-served.txt")

	var inProc, fromStore, whole stats
	err := b.nodeInstalled(dir)
	if err == nil {
		err = b.run(env, node(cli, "login", "--issuer", b.op.Issuer, "--client-id", testop.NativeClientID, "--scopes", scopes)...)
	}
	var st []stats
	if st, err = b.timeAll(err, hyperfineRun{env: env, warmup: 2, cmds: [][]string{
		node(bench, "--out", loaded), node(bench, "--served", "--out", served), node(cli, "token")}}); err == nil {
		whole = st[2]
		// bench.mjs appends one line per process; the last ones are
		// hyperfine's timed runs (before them: the check run, warmups).
		inProc, err = b.samples(loaded)
		if err == nil {
			fromStore, err = b.samples(served)
		}
	}
	b.table.add(timeRow("Node package: plugin load + token, in process", inProc, 0.100, "100 ms", err))
	b.table.add(timeRow("  token served from the keyring, in process", fromStore, 0, "", err))
	b.table.add(timeRow("  whole process, wasmlogin token (node)", whole, 0, "", err))
}

// samples is the median of the last b.runs lines of a bench.mjs output file.
func (b *bench) samples(path string) (stats, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return stats{}, err
	}
	xs, err := parseSamples(string(raw), b.runs)
	if err != nil {
		return stats{}, err
	}
	return median(xs), nil
}

func (b *bench) nodeInstalled(dir string) error {
	for _, f := range []string{filepath.Join("node_modules", "@extism", "extism"), "plugin.wasm"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return errors.New("host/node has no node_modules or plugin.wasm: run `npm ci --prefix host/node && node host/node/scripts/copy-plugin.js` (make bench does)")
		}
	}
	return nil
}
