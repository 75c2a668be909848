//go:build wasip1

// Command sandboxguest is a deliberately misbehaving plugin for the
// engine's sandbox tests: it tries what the flow plugin must never be able
// to do, under exactly the configuration the engine gives the real one.
package main

import (
	"os"

	"github.com/extism/go-pdk"
)

//go:wasmexport read_file
func readFile() int32 {
	b, err := os.ReadFile(pdk.InputString())
	if err != nil {
		pdk.OutputString("refused: " + err.Error())
		return 0
	}
	pdk.OutputString("read " + string(b))
	return 0
}

//go:wasmexport extism_http
func extismHTTP() int32 {
	resp := pdk.NewHTTPRequest(pdk.MethodGet, pdk.InputString()).Send()
	pdk.OutputString(string(resp.Body()))
	return 0
}

var sink [][]byte

//go:wasmexport grow
func grow() int32 {
	for i := 0; i < 1024; i++ { // 1 GiB in 1 MiB steps
		sink = append(sink, make([]byte, 1<<20))
	}
	return 0
}

//go:wasmexport spin
func spin() int32 {
	for {
	}
}

//go:wasmexport boom
func boom() int32 { panic("a bug in the guest") }

func main() {}
