package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"

	"go.bytecodealliance.org/wit"

	"github.com/wasmlogin/wasmlogin/host/httpguard"
	"github.com/wasmlogin/wasmlogin/host/secretstore"
	"github.com/wasmlogin/wasmlogin/internal/testop"
	"github.com/wasmlogin/wasmlogin/internal/testop/autologin"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// Every payload the plugin emits during real flows against the test
// provider (host-function arguments, export replies, successes and
// failures) must decode into the shape wit/flow.wit describes, under the
// encoding rules written at the top of that file.
func TestEmittedPayloadsMatchWIT(t *testing.T) {
	shapes := witShapes(t)
	var mu sync.Mutex
	seen := map[string]int{}
	var problems []string
	observePayload = func(fn string, raw []byte) {
		want, ok := shapes[fn]
		mu.Lock()
		defer mu.Unlock()
		seen[fn]++
		if !ok {
			problems = append(problems, fn+": not in the WIT world")
			return
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			problems = append(problems, fn+": not JSON: "+err.Error())
		} else if err := conforms(v, want, fn); err != nil {
			problems = append(problems, err.Error())
		}
		// The served token is a stored value, not a payload, but hosts
		// read it by the WIT record served-token.
		var sv api.SecretValue
		if fn == "secret_set" && json.Unmarshal(raw, &sv) == nil && strings.HasPrefix(sv.Key, "served/") {
			seen[servedShape]++
			var v any
			if err := json.Unmarshal([]byte(sv.Value), &v); err != nil {
				problems = append(problems, sv.Key+": not JSON: "+err.Error())
			} else if err := conforms(v, shapes[servedShape], sv.Key); err != nil {
				problems = append(problems, err.Error())
			}
		}
	}
	defer func() { observePayload = nil }()

	runFlows(t)

	for fn := range shapes {
		if fn != "prompt" && seen[fn] == 0 {
			problems = append(problems, fn+": never exercised by this test")
		}
	}
	if len(problems) > 0 {
		t.Fatalf("payloads that do not match wit/flow.wit:\n  %s", strings.Join(problems, "\n  "))
	}
}

// runFlows signs in for real, then uses every export, including failures.
func runFlows(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	ctx := context.Background()
	guard := httpguard.New(httpguard.Options{})
	guard.Allow(op.Issuer)
	store := secretstore.Memory()
	s := &Services{HTTP: guard, Secrets: store, Notify: func(string, string) {},
		OpenBrowser: func(u string) error {
			go autologin.Follow(ctx, u, op.Username, op.Password)
			return nil
		}}
	inst := newInstance(t, s)
	begun, err := signIn(t, inst, op) // untrusted_host_test.go
	if err != nil {
		t.Fatal(err)
	}
	ref := api.ProfileRef{Profile: begun.Profile}
	runMachineFlows(t, inst, op, ref) // machine_payload_test.go
	for _, err := range []error{
		ignore(inst.Token(ctx, api.TokenInput{ProfileRef: ref, ForceRefresh: true})),
		ignore(inst.Status(ctx, ref)),
		ignore(inst.Logout(ctx, ref)),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	runDeviceFlows(t, inst, op, nativeProvider(op))                                                                 // device_payload_test.go
	runMCPFlows(t, &Services{HTTP: guard, Secrets: store, Notify: s.Notify, OpenBrowser: s.OpenBrowser}, store, op) // mcp_payload_test.go
	// Failures are payloads too.
	inst.Token(ctx, api.TokenInput{ProfileRef: ref})
	inst.LoginComplete(ctx, api.LoginCompleteInput{FlowID: "unknown"})
}

func ignore[T any](_ T, err error) error { return err }

// witShapes maps Extism names to the WIT type of what crosses the
// boundary: a host function's parameter, an export's result.
func witShapes(t *testing.T) map[string]wit.Type {
	res, err := wit.LoadWIT("../../wit")
	if err != nil {
		t.Fatal(err)
	}
	world := findWorld(t, res, "flow-plugin")
	shapes := map[string]wit.Type{}
	for name, item := range world.Exports.All() {
		shapes[snake(name)] = item.(*wit.Function).Results[0].Type
	}
	for _, item := range world.Imports.All() {
		if ref, ok := item.(*wit.InterfaceRef); ok && (*ref.Interface.Name == "host" || *ref.Interface.Name == "crypto") {
			for name, f := range ref.Interface.Functions.All() {
				shapes[snake(name)] = f.Params[0].Type
			}
		}
	}
	for _, td := range res.TypeDefs {
		if td.Name != nil && *td.Name == servedShape {
			shapes[servedShape] = td
		}
	}
	if shapes[servedShape] == nil {
		t.Fatal("wit/flow.wit has no record " + servedShape)
	}
	return shapes
}

// servedShape is the WIT record of the value stored under served/<profile>.
const servedShape = "served-token"

// conforms checks a decoded JSON value against a WIT type, strictly: no
// unknown fields, no missing non-option fields, integers in range.
func conforms(v any, t wit.Type, path string) error {
	td, ok := t.(*wit.TypeDef)
	if !ok {
		return primitive(v, primitiveName(t), path)
	}
	switch k := td.Kind.(type) {
	case *wit.TypeDef:
		return conforms(v, k, path)
	case *wit.Option:
		if v == nil {
			return nil
		}
		return conforms(v, k.Type, path)
	case *wit.Result:
		m, ok := v.(map[string]any)
		if !ok || len(m) != 1 {
			return fmt.Errorf("%s: want {\"ok\": ...} or {\"error\": ...}, got %v", path, v)
		}
		if ok, has := m["ok"]; has {
			return conforms(ok, k.OK, path+".ok")
		}
		if e, has := m["error"]; has {
			return conforms(e, k.Err, path+".error")
		}
		return fmt.Errorf("%s: envelope without ok or error", path)
	case *wit.List:
		if name, value, isMap := mapEntry(k.Type); isMap {
			m, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("%s: want an object (a %s map), got %T", path, name, v)
			}
			for key, val := range m {
				if err := conformsField(val, value, path+"."+key); err != nil {
					return err
				}
			}
			return nil
		}
		arr, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s: want an array, got %T", path, v)
		}
		for i, e := range arr {
			if err := conforms(e, k.Type, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	case *wit.Record:
		m, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: want an object, got %T", path, v)
		}
		known := map[string]bool{}
		for _, f := range k.Fields {
			key := snake(f.Name)
			known[key] = true
			val, has := m[key]
			if !has {
				if _, opt := optionOf(f.Type); !opt {
					return fmt.Errorf("%s: missing field %s", path, key)
				}
				continue
			}
			if err := conformsField(val, f, path+"."+key); err != nil {
				return err
			}
		}
		for key := range m {
			if !known[key] {
				return fmt.Errorf("%s: field %s is not in the WIT record", path, key)
			}
		}
		return nil
	}
	return fmt.Errorf("%s: WIT type %T is not used by this contract's encoding", path, td.Kind)
}

func conformsField(v any, f wit.Field, path string) error {
	if f.Name == "json-value" {
		return nil // any JSON value
	}
	return conforms(v, f.Type, path)
}

// mapEntry recognises the map convention: a record of `name: string` and
// one other field.
func mapEntry(t wit.Type) (string, wit.Field, bool) {
	td, ok := t.(*wit.TypeDef)
	for ok {
		if inner, isDef := td.Kind.(*wit.TypeDef); isDef {
			td = inner
			continue
		}
		break
	}
	if !ok {
		return "", wit.Field{}, false
	}
	r, isRecord := td.Kind.(*wit.Record)
	if !isRecord || len(r.Fields) != 2 || r.Fields[0].Name != "name" {
		return "", wit.Field{}, false
	}
	return *td.Name, r.Fields[1], true
}

func optionOf(t wit.Type) (wit.Type, bool) {
	if td, ok := t.(*wit.TypeDef); ok {
		if o, ok := td.Kind.(*wit.Option); ok {
			return o.Type, true
		}
	}
	return nil, false
}

func primitiveName(t wit.Type) string {
	switch t.(type) {
	case wit.String, *wit.String:
		return "string"
	case wit.Bool, *wit.Bool:
		return "bool"
	case wit.U16, *wit.U16:
		return "u16"
	case wit.U32, *wit.U32:
		return "u32"
	case wit.S64, *wit.S64:
		return "s64"
	}
	return fmt.Sprintf("%T", t)
}

func primitive(v any, name, path string) error {
	switch name {
	case "string":
		if _, ok := v.(string); ok {
			return nil
		}
	case "bool":
		if _, ok := v.(bool); ok {
			return nil
		}
	case "u16", "u32", "s64":
		limits := map[string][2]float64{"u16": {0, math.MaxUint16}, "u32": {0, math.MaxUint32}, "s64": {math.MinInt64, math.MaxInt64}}[name]
		if f, ok := v.(float64); ok && f == math.Trunc(f) && f >= limits[0] && f <= limits[1] {
			return nil
		}
	}
	return fmt.Errorf("%s: want %s, got %v (%T)", path, name, v, v)
}
