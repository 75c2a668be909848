//go:build wasip1

// Command plugin is the flow plugin: a thin adapter that exposes package
// flow as Extism exports and implements flow.Host with the host functions
// of the WIT world in wit/. Every export takes and returns JSON; the reply
// is always an envelope ({"ok": ...} or {"error": ...}) and the export
// returns 0, so hosts see flow errors as data, with their codes.
package main

import (
	"time"

	"github.com/extism/go-pdk"
	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/flow"
	"github.com/wasmlogin/wasmlogin/plugin/internal/apijson"
	"github.com/wasmlogin/wasmlogin/plugin/internal/jsonv"
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

//go:wasmexport login_choose
func loginChoose() int32 {
	var in api.LoginChooseInput
	return serve(&in, func() (any, *api.Error) { return result(engine.LoginChoose(in)) })
}

//go:wasmexport device_begin
func deviceBegin() int32 {
	var in api.DeviceBeginInput
	return serve(&in, func() (any, *api.Error) { return result(engine.DeviceBegin(in)) })
}

//go:wasmexport device_poll
func devicePoll() int32 {
	var in api.DevicePollInput
	return serve(&in, func() (any, *api.Error) { return result(engine.DevicePoll(in)) })
}

//go:wasmexport client_credentials
func clientCredentials() int32 {
	var in api.ClientCredentialsInput
	return serve(&in, func() (any, *api.Error) { return result(engine.ClientCredentials(in)) })
}

//go:wasmexport token_exchange
func tokenExchange() int32 {
	var in api.TokenExchangeInput
	return serve(&in, func() (any, *api.Error) { return result(engine.TokenExchange(in)) })
}

//go:wasmexport userinfo
func userinfo() int32 {
	var in api.ProfileRef
	return serve(&in, func() (any, *api.Error) { return result(engine.Userinfo(in)) })
}

//go:wasmexport describe
func describe() int32 {
	var in api.Empty
	return serve(&in, func() (any, *api.Error) {
		return &api.PluginInfo{Version: api.Version, Contract: api.Contract}, nil
	})
}

//go:wasmexport mcp_authorize
func mcpAuthorize() int32 {
	var in api.MCPAuthorizeInput
	return serve(&in, func() (any, *api.Error) { return result(engine.MCPAuthorize(in)) })
}

// result keeps a nil *O from becoming a non-nil interface, so that "ok" is
// left out instead of written from a nil pointer.
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
	var ok any
	var fail *api.Error
	defer func() {
		if p := recover(); p != nil {
			ok = nil
			fail = &api.Error{Code: api.CodeInternal, Message: "the plugin failed unexpectedly; please report this"}
		}
		var w jsonv.Writer
		w.BeginObject()
		if ok != nil {
			apijson.Write(w.Key("ok"), ok)
		}
		if fail != nil {
			apijson.Write(w.Key("error"), fail)
		}
		w.EndObject()
		pdk.Output(w.B)
	}()
	if err := apijson.Unmarshal(pdk.Input(), in); err != nil {
		fail = &api.Error{Code: api.CodeBadInput, Message: "the call's input is not the JSON this export takes: " + err.Error()}
		return 0
	}
	ok, fail = step()
	return 0
}

func main() {}
