// Package conformance is the host conformance kit: a deliberately hostile
// guest (guest/, built to guest.wasm) with one export per attack on a
// host's sandbox, and cases.json, the one list of attacks, their inputs and
// the refusal wit/flow.wit requires. faultserver is the misbehaving HTTP
// server the attacks aim at. Every host of this repository runs the whole
// kit in `make test`: the Go engine (this package's tests), Node
// (host/node/test/conformance.test.mjs) and Python
// (host/python/tests/test_conformance.py). README.md tells embedders how to
// run it against their own host.
package conformance
