package cli

import (
	"bytes"
	"context"
	"regexp"
	"testing"

	"github.com/wasmlogin/wasmlogin/host/secretstore"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

type okHTTP struct{}

func (okHTTP) Do(context.Context, api.HTTPRequest) api.Reply[api.HTTPResponse] {
	return api.Reply[api.HTTPResponse]{OK: &api.HTTPResponse{Status: 200}}
}

// Each phase line names the store and HTTP calls made during that phase,
// and only those: the next phase starts counting from zero.
func TestTimingAttributesCallsToPhases(t *testing.T) {
	var stderr bytes.Buffer
	c := &command{env: Env{Stderr: &stderr, Getenv: func(k string) string {
		return map[string]string{"WASMLOGIN_TIMING": "1"}[k]
	}}}
	store := timedStore{secretstore.Memory(), &c.spent.store}
	http := timedHTTP{okHTTP{}, &c.spent.http}

	store.Set("a", "1")
	store.Get("a")
	http.Do(context.Background(), api.HTTPRequest{})
	c.phase("first")
	store.Delete("a")
	c.phase("second")
	c.phase("third")

	want := regexp.MustCompile(`^timing: first +[0-9.]+ ms \(store 2 calls [0-9.]+ ms, http 1 call [0-9.]+ ms\)
timing: second +[0-9.]+ ms \(store 1 call [0-9.]+ ms\)
timing: third +[0-9.]+ ms
$`)
	if !want.Match(stderr.Bytes()) {
		t.Fatalf("timing lines:\n%s", stderr.String())
	}
}

// Without WASMLOGIN_TIMING the command prints nothing about time.
func TestNoTimingByDefault(t *testing.T) {
	var stderr bytes.Buffer
	c := &command{env: Env{Stderr: &stderr, Getenv: func(string) string { return "" }}}
	c.phase("first")
	if stderr.Len() != 0 || c.timing() {
		t.Fatalf("printed %q", stderr.String())
	}
}
