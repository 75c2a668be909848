//go:build wasip1

package main

import (
	"github.com/extism/go-pdk"
	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/internal/apijson"
	"github.com/wasmlogin/wasmlogin/plugin/internal/jsonv"
)

// Host functions, imported from Extism's user namespace. Each takes the
// offset of a JSON payload in Extism memory and returns the offset of a JSON
// reply envelope. wit/ describes them; a test holds these names to it.

//go:wasmimport extism:host/user http_request
func hostHTTPRequest(uint64) uint64

//go:wasmimport extism:host/user open_browser
func hostOpenBrowser(uint64) uint64

//go:wasmimport extism:host/user notify
func hostNotify(uint64) uint64

//go:wasmimport extism:host/user prompt
func hostPrompt(uint64) uint64

//go:wasmimport extism:host/user secret_get
func hostSecretGet(uint64) uint64

//go:wasmimport extism:host/user secret_set
func hostSecretSet(uint64) uint64

//go:wasmimport extism:host/user secret_delete
func hostSecretDelete(uint64) uint64

// verify_signature is interface crypto of the WIT world.
//
//go:wasmimport extism:host/user verify_signature
func hostVerifySignature(uint64) uint64

// sign is interface crypto's signing with a key the host holds.
//
//go:wasmimport extism:host/user sign
func hostSign(uint64) uint64

// call sends one payload (a pointer) to a host function, decodes its
// envelope and the "ok" value into out (a pointer). It is not generic on
// purpose: one copy per result type made the plugin measurably larger.
func call(fn func(uint64) uint64, payload, out any) *api.Error {
	in := pdk.AllocateBytes(apijson.Marshal(payload))
	defer in.Free()
	off := fn(in.Offset())
	if off == 0 {
		return &api.Error{Code: api.HostUnavailable, Message: "the host function returned nothing"}
	}
	outMem := pdk.FindMemory(off)
	defer outMem.Free()
	invalid := &api.Error{Code: api.HostUnavailable, Message: "the host function's reply is not valid JSON"}
	reply, err := jsonv.Parse(outMem.ReadBytes())
	if err != nil || reply.Kind() != jsonv.KindObject && reply.Kind() != jsonv.KindNull {
		return invalid
	}
	if v, _ := reply.Get("error"); v.Kind() != jsonv.KindNull {
		var e api.Error
		if apijson.Decode(v, &e) != nil {
			return invalid
		}
		return &e
	}
	ok, _ := reply.Get("ok")
	if ok.Kind() == jsonv.KindNull {
		return &api.Error{Code: api.HostUnavailable, Message: "the host function's reply has neither ok nor error"}
	}
	if apijson.Decode(ok, out) != nil {
		return invalid
	}
	return nil
}

type wasmHost struct{}

func (wasmHost) HTTP(req api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
	var r api.HTTPResponse
	if err := call(hostHTTPRequest, &req, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

func (wasmHost) OpenBrowser(url string) (bool, *api.Error) {
	var r api.OpenBrowserResult
	if err := call(hostOpenBrowser, &api.OpenBrowserRequest{URL: url}, &r); err != nil {
		return false, err
	}
	return r.Opened, nil
}

func (wasmHost) Notify(level, message string) {
	call(hostNotify, &api.NotifyRequest{Level: level, Message: message}, &api.Empty{})
}

func (wasmHost) Prompt(message string, secret bool) (string, *api.Error) {
	var r api.PromptResult
	if err := call(hostPrompt, &api.PromptRequest{Message: message, Secret: secret}, &r); err != nil {
		return "", err
	}
	return r.Value, nil
}

func (wasmHost) SecretGet(key string) (string, bool, *api.Error) {
	var r api.SecretLookup
	if err := call(hostSecretGet, &api.SecretKey{Key: key}, &r); err != nil {
		return "", false, err
	}
	return r.Value, r.Found, nil
}

func (wasmHost) SecretSet(key, value string) *api.Error {
	return call(hostSecretSet, &api.SecretValue{Key: key, Value: value}, &api.Empty{})
}

func (wasmHost) SecretDelete(key string) *api.Error {
	return call(hostSecretDelete, &api.SecretKey{Key: key}, &api.Empty{})
}

func (wasmHost) VerifySignature(req api.VerifySignatureRequest) (bool, *api.Error) {
	var r api.VerifySignatureResult
	if err := call(hostVerifySignature, &req, &r); err != nil {
		return false, err
	}
	return r.Valid, nil
}

func (wasmHost) Sign(req api.SignRequest) (string, *api.Error) {
	var r api.SignResult
	if err := call(hostSign, &req, &r); err != nil {
		return "", err
	}
	return r.Signature, nil
}
