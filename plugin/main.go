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
func loginBegin() int32 {
	var in api.LoginBeginInput
	return serve(&in, func() (any, *api.Error) { return result(engine.LoginBegin(in)) })
}

//go:wasmexport login_complete
func loginComplete() int32 {
	var in api.LoginCompleteInput
	return serve(&in, func() (any, *api.Error) { return result(engine.LoginComplete(in)) })
}

//go:wasmexport token
func token() int32 {
	var in api.TokenInput
	return serve(&in, func() (any, *api.Error) { return result(engine.Token(in)) })
}

//go:wasmexport status
func status() int32 {
	var in api.ProfileRef
	return serve(&in, func() (any, *api.Error) { return result(engine.Status(in)) })
}

//go:wasmexport logout
func logout() int32 {
	var in api.ProfileRef
	return serve(&in, func() (any, *api.Error) { return result(engine.Logout(in)) })
}

// result keeps a nil *O from becoming a non-nil interface, which would
// write "ok": null instead of leaving "ok" out.
func result[O any](out *O, err *api.Error) (any, *api.Error) {
	if out == nil {
		return nil, err
	}
	return out, err
}

// serve decodes the input into in, runs one step and writes the reply
// envelope, the JSON of api.Reply. A panic in flow code becomes an "internal"
// error instead of a trap, so the host reports it cleanly and the instance
// stays usable. It is not generic: one copy per export made the plugin
// measurably larger.
func serve(in any, step func() (any, *api.Error)) (rc int32) {
	var reply struct {
		OK    any        `json:"ok,omitempty"`
		Error *api.Error `json:"error,omitempty"`
	}
	defer func() {
		if p := recover(); p != nil {
			reply.OK = nil
			reply.Error = &api.Error{Code: api.CodeInternal, Message: "the plugin failed unexpectedly; please report this"}
		}
		out, _ := json.Marshal(reply)
		pdk.Output(out)
	}()
	if err := json.Unmarshal(pdk.Input(), in); err != nil {
		reply.Error = &api.Error{Code: api.CodeBadInput, Message: "the call's input is not the JSON this export takes: " + err.Error()}
		return 0
	}
	reply.OK, reply.Error = step()
	return 0
}

func main() {}
