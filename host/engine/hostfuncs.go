package engine

import (
	"context"
	"encoding/json"
	"errors"

	extism "github.com/extism/go-sdk"
	"github.com/wasmlogin/wasmlogin/host/browser"
	"github.com/wasmlogin/wasmlogin/host/secretstore"
	"github.com/wasmlogin/wasmlogin/host/signing"
	"github.com/wasmlogin/wasmlogin/host/sigverify"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// HostFunctionNames are the imports the plugin may use from
// extism:host/user, in the order of the WIT world: interface host, then
// interface crypto.
var HostFunctionNames = []string{"http_request", "open_browser", "notify", "prompt",
	"secret_get", "secret_set", "secret_delete", "verify_signature", "sign"}

type servicesKey struct{}

// observePayload, when a test sets it, sees every JSON payload the plugin
// emits: host-function arguments and export replies, as raw bytes.
var observePayload func(function string, raw []byte)

// hostFunctions builds the host functions once per compiled plugin; each
// call finds the Services of the instance making it in the call's context.
func hostFunctions() []extism.HostFunction {
	return []extism.HostFunction{
		define("http_request", func(ctx context.Context, s *Services, in api.HTTPRequest) any {
			if s.HTTP == nil {
				return unavailable("HTTP")
			}
			return s.HTTP.Do(ctx, in)
		}),
		define("open_browser", func(_ context.Context, s *Services, in api.OpenBrowserRequest) any {
			// Whatever opener the embedder lends, only web pages reach it.
			if err := browser.CheckURL(in.URL); err != nil {
				return fail(api.HostDenied, err.Error())
			}
			if s.OpenBrowser == nil {
				return ok(api.OpenBrowserResult{Opened: false})
			}
			if err := s.OpenBrowser(in.URL); err != nil {
				return fail(api.HostUnavailable, err.Error())
			}
			return ok(api.OpenBrowserResult{Opened: true})
		}),
		define("notify", func(_ context.Context, s *Services, in api.NotifyRequest) any {
			if s.Notify != nil {
				s.Notify(in.Level, in.Message)
			}
			return ok(api.Empty{})
		}),
		define("prompt", func(_ context.Context, s *Services, in api.PromptRequest) any {
			if s.Prompt == nil {
				return unavailable("prompting the user")
			}
			v, err := s.Prompt(in.Message, in.Secret)
			if err != nil {
				return fail(api.HostDenied, err.Error())
			}
			return ok(api.PromptResult{Value: v})
		}),
		define("secret_get", func(_ context.Context, s *Services, in api.SecretKey) any {
			if s.Secrets == nil {
				return unavailable("secret storage")
			}
			v, found, err := s.Secrets.Get(in.Key)
			if err != nil {
				return secretFailure(err)
			}
			return ok(api.SecretLookup{Found: found, Value: v})
		}),
		define("secret_set", func(_ context.Context, s *Services, in api.SecretValue) any {
			if s.Secrets == nil {
				return unavailable("secret storage")
			}
			if err := s.Secrets.Set(in.Key, in.Value); err != nil {
				return secretFailure(err)
			}
			return ok(api.Empty{})
		}),
		define("secret_delete", func(_ context.Context, s *Services, in api.SecretKey) any {
			if s.Secrets == nil {
				return unavailable("secret storage")
			}
			if err := s.Secrets.Delete(in.Key); err != nil {
				return secretFailure(err)
			}
			return ok(api.Empty{})
		}),
		define("verify_signature", func(_ context.Context, s *Services, in api.VerifySignatureRequest) any {
			verify := s.VerifySignature
			if verify == nil {
				verify = sigverify.Verify
			}
			valid, err := verify(in)
			if err != nil {
				return fail(api.CodeBadInput, "verify_signature: "+err.Error())
			}
			return ok(api.VerifySignatureResult{Valid: valid})
		}),
		define("sign", func(_ context.Context, s *Services, in api.SignRequest) any {
			if s.Sign == nil {
				return unavailable("signing with a private key")
			}
			sig, err := s.Sign(in)
			switch {
			case errors.Is(err, secretstore.ErrDenied):
				return fail(api.HostDenied, "sign: "+err.Error())
			case errors.Is(err, signing.ErrBadRequest):
				return fail(api.CodeBadInput, "sign: "+err.Error())
			case err != nil:
				return fail(api.HostUnavailable, "sign: "+err.Error())
			}
			return ok(api.SignResult{Signature: sig})
		}),
	}
}

// define adapts a typed handler to Extism's (offset) -> offset calling
// convention: read the JSON payload, run, write the JSON reply envelope.
func define[I any](name string, handle func(context.Context, *Services, I) any) extism.HostFunction {
	return extism.NewHostFunctionWithStack(name,
		func(ctx context.Context, p *extism.CurrentPlugin, stack []uint64) {
			var reply any
			raw, err := p.ReadBytes(stack[0])
			if observePayload != nil {
				observePayload(name, raw)
			}
			var in I
			if err == nil {
				err = json.Unmarshal(raw, &in)
			}
			s, _ := ctx.Value(servicesKey{}).(*Services)
			switch {
			case err != nil:
				reply = fail(api.CodeBadInput, name+": the payload is not the JSON this function takes")
			case s == nil:
				reply = unavailable(name)
			default:
				reply = handle(ctx, s, in)
			}
			out, _ := json.Marshal(reply)
			off, werr := p.WriteBytes(out)
			if werr != nil {
				off = 0 // the plugin reports "the host function returned nothing"
			}
			stack[0] = off
		},
		[]extism.ValueType{extism.ValueTypePTR}, []extism.ValueType{extism.ValueTypePTR})
}

func ok[T any](v T) api.Reply[T] { return api.Reply[T]{OK: &v} }

func fail(code, msg string) api.Reply[api.Empty] {
	return api.Reply[api.Empty]{Error: &api.Error{Code: code, Message: msg}}
}

func unavailable(what string) api.Reply[api.Empty] {
	return fail(api.HostUnavailable, what+" is not offered by this host")
}
