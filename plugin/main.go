//go:build wasip1

// Command plugin is the flow plugin: a thin adapter that exposes package
// flow as Extism exports and implements flow.Host with the host functions
// of the WIT world in wit/. Every export takes and returns JSON; the reply
// is always an envelope ({"ok": ...} or {"error": ...}) and the export
// returns 0, so hosts see flow errors as data, with their codes.
package main

import (
	"encoding/json"
	"time"

	"github.com/extism/go-pdk"
	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/flow"
)

// One engine per instance: pending logins live here between calls.
var engine = flow.New(wasmHost{}, time.Now)

//go:wasmexport login_begin
func loginBegin() int32 { return serve(engine.LoginBegin) }

//go:wasmexport login_complete
func loginComplete() int32 { return serve(engine.LoginComplete) }

//go:wasmexport token
func token() int32 { return serve(engine.Token) }

//go:wasmexport status
func status() int32 { return serve(engine.Status) }

//go:wasmexport logout
func logout() int32 { return serve(engine.Logout) }

// serve decodes the input, runs one step and writes the reply envelope. A
// panic in flow code becomes an "internal" error instead of a trap, so the
// host reports it cleanly and the instance stays usable.
func serve[I, O any](step func(I) (*O, *api.Error)) (rc int32) {
	var reply api.Reply[O]
	defer func() {
		if p := recover(); p != nil {
			reply = api.Reply[O]{Error: &api.Error{Code: api.CodeInternal, Message: "the plugin failed unexpectedly; please report this"}}
		}
		out, _ := json.Marshal(reply)
		pdk.Output(out)
	}()
	var in I
	if err := json.Unmarshal(pdk.Input(), &in); err != nil {
		reply.Error = &api.Error{Code: api.CodeBadInput, Message: "the call's input is not the JSON this export takes: " + err.Error()}
		return 0
	}
	reply.OK, reply.Error = step(in)
	return 0
}

func main() {}
