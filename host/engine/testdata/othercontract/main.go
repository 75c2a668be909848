//go:build wasip1

// Command othercontract is a module that describes itself as a flow plugin
// of another contract (or, with the input "none", as no plugin at all), for
// the engine's contract check.
package main

import "github.com/extism/go-pdk"

//go:wasmexport describe
func describe() int32 {
	pdk.OutputString(`{"ok":{"version":"9.9.9","contract":"0.1.0"}}`)
	return 0
}

func main() {}
