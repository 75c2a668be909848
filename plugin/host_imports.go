//go:build wasip1

package main

import (
	"encoding/json"

	"github.com/extism/go-pdk"
	"github.com/wasmlogin/wasmlogin/plugin/api"
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

// call sends one payload to a host function and decodes its envelope.
func call[O any](fn func(uint64) uint64, payload any) (*O, *api.Error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return nil, &api.Error{Code: api.CodeInternal, Message: err.Error()}
	}
	in := pdk.AllocateBytes(b)
	defer in.Free()
	off := fn(in.Offset())
	if off == 0 {
		return nil, &api.Error{Code: api.HostUnavailable, Message: "the host function returned nothing"}
	}
	outMem := pdk.FindMemory(off)
	defer outMem.Free()
	var reply api.Reply[O]
	if err := json.Unmarshal(outMem.ReadBytes(), &reply); err != nil {
		return nil, &api.Error{Code: api.HostUnavailable, Message: "the host function's reply is not valid JSON"}
	}
	if reply.Error != nil {
		return nil, reply.Error
	}
	if reply.OK == nil {
		return nil, &api.Error{Code: api.HostUnavailable, Message: "the host function's reply has neither ok nor error"}
	}
	return reply.OK, nil
}

type wasmHost struct{}

func (wasmHost) HTTP(req api.HTTPRequest) (*api.HTTPResponse, *api.Error) {
	return call[api.HTTPResponse](hostHTTPRequest, req)
}

func (wasmHost) OpenBrowser(url string) (bool, *api.Error) {
	r, err := call[api.OpenBrowserResult](hostOpenBrowser, api.OpenBrowserRequest{URL: url})
	if err != nil {
		return false, err
	}
	return r.Opened, nil
}

func (wasmHost) Notify(level, message string) {
	call[api.Empty](hostNotify, api.NotifyRequest{Level: level, Message: message})
}

func (wasmHost) Prompt(message string, secret bool) (string, *api.Error) {
	r, err := call[api.PromptResult](hostPrompt, api.PromptRequest{Message: message, Secret: secret})
	if err != nil {
		return "", err
	}
	return r.Value, nil
}

func (wasmHost) SecretGet(key string) (string, bool, *api.Error) {
	r, err := call[api.SecretLookup](hostSecretGet, api.SecretKey{Key: key})
	if err != nil {
		return "", false, err
	}
	return r.Value, r.Found, nil
}

func (wasmHost) SecretSet(key, value string) *api.Error {
	_, err := call[api.Empty](hostSecretSet, api.SecretValue{Key: key, Value: value})
	return err
}

func (wasmHost) SecretDelete(key string) *api.Error {
	_, err := call[api.Empty](hostSecretDelete, api.SecretKey{Key: key})
	return err
}
