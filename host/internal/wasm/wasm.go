// Package wasm carries the flow plugin, built from ../../../plugin and
// committed, so that `go run ./host` and `go install` work on a fresh clone
// without a Wasm toolchain step. TestEmbeddedMatchesSource rebuilds the
// plugin and fails when this copy is stale.
package wasm

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"sync"
)

//go:embed plugin.wasm
var Module []byte

// Hash is the hex SHA-256 of Module: it keys the compilation cache so a new
// plugin never runs stale native code. Computed on first use, so commands
// that never load the plugin (help, profiles) do not hash 4 MB.
var Hash = sync.OnceValue(func() string {
	h := sha256.Sum256(Module)
	return hex.EncodeToString(h[:])
})
