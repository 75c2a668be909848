//go:build wasip1

// Command guest is the host conformance kit's hostile plugin. It imports the
// same host functions as the flow plugin (wit/flow.wit) and tries, one
// export per attack, what a host must refuse: origins nobody allowed,
// redirects, oversized and slow answers, browsers opened on dangerous URLs,
// other profiles' secrets, malformed signature requests, files, Extism's
// own HTTP, unbounded memory and time, panics. It decides nothing: each
// export passes its input to one host function and hands the host's reply
// back unchanged (JSON {"ok": ...} or {"error": {"code", "message"}}), so
// that a runner in any language can compare it with ../cases.json.
//
// Built for wasip1 exactly like the flow plugin (see the Makefile's
// conformance-guest target); the committed ../guest.wasm is compared with a
// fresh build by TestGuestMatchesSource.
package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"time"

	"github.com/extism/go-pdk"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// The host functions of wit/flow.wit (interfaces host and crypto) that the
// kit attacks, each taking and returning the offset of a JSON document in
// Extism memory. notify and prompt are left out: no rule of the kit
// concerns them, and a guest may import fewer functions than a host offers.

//go:wasmimport extism:host/user http_request
func hostHTTPRequest(uint64) uint64

//go:wasmimport extism:host/user open_browser
func hostOpenBrowser(uint64) uint64

//go:wasmimport extism:host/user secret_get
func hostSecretGet(uint64) uint64

//go:wasmimport extism:host/user secret_set
func hostSecretSet(uint64) uint64

//go:wasmimport extism:host/user secret_delete
func hostSecretDelete(uint64) uint64

//go:wasmimport extism:host/user verify_signature
func hostVerifySignature(uint64) uint64

// relay sends payload to a host function and returns its reply as the
// host wrote it. A host function that returns no reply (offset 0) is
// reported as such, so the runner shows it instead of a parse error.
func relay(fn func(uint64) uint64, payload []byte) []byte {
	in := pdk.AllocateBytes(payload)
	defer in.Free()
	off := fn(in.Offset())
	if off == 0 {
		return fail("no_reply", "the host function returned offset 0")
	}
	out := pdk.FindMemory(off)
	defer out.Free()
	return out.ReadBytes()
}

func fail(code, message string) []byte {
	b, _ := json.Marshal(map[string]any{"error": map[string]string{"code": code, "message": message}})
	return b
}

func ok(v any) []byte {
	b, _ := json.Marshal(map[string]any{"ok": v})
	return b
}

// passThrough is an export body: the call's input goes to fn unchanged,
// fn's reply becomes the call's output.
func passThrough(fn func(uint64) uint64) int32 {
	pdk.Output(relay(fn, pdk.Input()))
	return 0
}

// describe claims the contract of the flow plugin, so that hosts load the
// guest exactly as they load the plugin (they refuse another contract).
//
//go:wasmexport describe
func describe() int32 {
	pdk.Output(ok(map[string]string{"version": "conformance-kit", "contract": api.Contract}))
	return 0
}

// ping answers without touching the host: the runners call it after a
// trap to show that the host still runs plugins.
//
//go:wasmexport ping
func ping() int32 { pdk.Output(ok("pong")); return 0 }

// send_request asks the host for one HTTP exchange, exactly as given
// (outgoing-request): another origin, a redirect, a huge or slow answer, a
// method other than GET and POST.
//
//go:wasmexport send_request
func sendRequest() int32 { return passThrough(hostHTTPRequest) }

// learn_then_reach GETs each URL of "fetch" in turn (documents that try to
// teach the host new origins), then sends "target". The output is the
// reply to "target", with the earlier replies' status codes or error codes
// under "fetched" so that a failure shows what the host answered.
//
//go:wasmexport learn_then_reach
func learnThenReach() int32 {
	var in struct {
		Fetch  []string `json:"fetch"`
		Target string   `json:"target"`
	}
	if err := json.Unmarshal(pdk.Input(), &in); err != nil {
		pdk.Output(fail("guest_input", err.Error()))
		return 0
	}
	var fetched []string
	for _, u := range in.Fetch {
		req, _ := json.Marshal(map[string]string{"method": "GET", "url": u})
		fetched = append(fetched, summary(relay(hostHTTPRequest, req)))
	}
	req, _ := json.Marshal(map[string]string{"method": "GET", "url": in.Target})
	var reply map[string]any
	if err := json.Unmarshal(relay(hostHTTPRequest, req), &reply); err != nil {
		pdk.Output(fail("bad_reply", "the host's http_request reply is not a JSON object"))
		return 0
	}
	reply["fetched"] = fetched
	out, _ := json.Marshal(reply)
	pdk.Output(out)
	return 0
}

// summary reduces an http_request reply to "200" or "error disallowed_host".
func summary(raw []byte) string {
	var r struct {
		OK *struct {
			Status int `json:"status"`
		} `json:"ok"`
		Error *struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	switch {
	case json.Unmarshal(raw, &r) != nil:
		return "unparsable reply"
	case r.OK != nil:
		b, _ := json.Marshal(r.OK.Status)
		return string(b)
	case r.Error != nil:
		return "error " + r.Error.Code
	}
	return "empty reply"
}

// open_browser asks the host to open the URL given.
//
//go:wasmexport open_browser
func openBrowser() int32 { return passThrough(hostOpenBrowser) }

// secret_get, secret_set and secret_delete reach for keys of profiles the
// instance was not granted, and for keys outside the plugin's namespace.
//
//go:wasmexport secret_get
func secretGet() int32 { return passThrough(hostSecretGet) }

//go:wasmexport secret_set
func secretSet() int32 { return passThrough(hostSecretSet) }

//go:wasmexport secret_delete
func secretDelete() int32 { return passThrough(hostSecretDelete) }

// verify_signature sends malformed requests: unknown algorithms, keys of
// the wrong type, out-of-range RSA moduli, garbage signatures.
//
//go:wasmexport verify_signature
func verifySignature() int32 { return passThrough(hostVerifySignature) }

// read_host_file reads a path of the host's file system through WASI.
//
//go:wasmexport read_host_file
func readHostFile() int32 {
	var in struct {
		Path string `json:"path"`
	}
	json.Unmarshal(pdk.Input(), &in)
	b, err := os.ReadFile(in.Path)
	if err != nil {
		pdk.Output(fail("refused", err.Error()))
		return 0
	}
	pdk.Output(ok(map[string]string{"content": string(b)}))
	return 0
}

// Extism's built-in HTTP (extism:host/env), declared here rather than
// reached through go-pdk's HTTPRequest.Send: Send also imports
// http_headers, which Extism's JavaScript SDK 1.0.3 does not offer, and a
// missing import would keep the whole guest from loading there. These two
// are what Send itself calls first.
//
//go:wasmimport extism:host/env http_request
func extismHTTPRequest(request, body uint64) uint64

//go:wasmimport extism:host/env http_status_code
func extismHTTPStatusCode() int32

// extism_http sends a GET through Extism's built-in HTTP, which knows
// nothing of the host's rules (and in some SDKs follows redirects). A host
// must allow it no host at all.
//
//go:wasmexport extism_http
func extismHTTP() int32 {
	var in struct {
		URL string `json:"url"`
	}
	json.Unmarshal(pdk.Input(), &in)
	req, _ := json.Marshal(map[string]string{"method": "GET", "url": in.URL})
	mem := pdk.AllocateBytes(req)
	defer mem.Free()
	off := extismHTTPRequest(mem.Offset(), 0)
	status := extismHTTPStatusCode()
	body := ""
	if off != 0 {
		resp := pdk.FindMemory(off)
		body = string(resp.ReadBytes())
		resp.Free()
	}
	pdk.Output(ok(map[string]any{"status": status, "body": body}))
	return 0
}

var hoard [][]byte

// grow_memory allocates "mib" MiB, one MiB at a time, and keeps it.
//
//go:wasmexport grow_memory
func growMemory() int32 {
	var in struct {
		MiB int `json:"mib"`
	}
	json.Unmarshal(pdk.Input(), &in)
	for i := 0; i < in.MiB; i++ {
		block := make([]byte, 1<<20)
		block[len(block)-1] = 1 // touched, so no runtime can leave it unbacked
		hoard = append(hoard, block)
	}
	pdk.Output(ok(map[string]int{"allocated_mib": len(hoard)}))
	hoard = nil
	return 0
}

// spin never returns.
//
//go:wasmexport spin
func spin() int32 {
	for {
	}
}

// panic_now panics: a bug in a guest.
//
//go:wasmexport panic_now
func panicNow() int32 { panic("the conformance guest panics on purpose") }

// clock reads WASI's wall clock.
//
//go:wasmexport clock
func clock() int32 {
	pdk.Output(ok(map[string]int64{"unix_ms": time.Now().UnixMilli()}))
	return 0
}

// random draws 32 bytes from WASI's random_get.
//
//go:wasmexport random
func random() int32 {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		pdk.Output(fail("random_failed", err.Error()))
		return 0
	}
	pdk.Output(ok(map[string]string{"hex": hex.EncodeToString(b)}))
	return 0
}

func main() {}
