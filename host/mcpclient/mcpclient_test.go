package mcpclient

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/wasmlogin/wasmlogin/host/engine"
	"github.com/wasmlogin/wasmlogin/host/profiles"
	"github.com/wasmlogin/wasmlogin/host/secretstore"
	"github.com/wasmlogin/wasmlogin/internal/mcptest"
	"github.com/wasmlogin/wasmlogin/internal/testmcp"
	"github.com/wasmlogin/wasmlogin/internal/testop"
	"github.com/wasmlogin/wasmlogin/internal/testop/autologin"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// The servers are real and independently written: the authorization
// server is zitadel/oidc's OP (internal/testop), the MCP server the
// official Go SDK's behind its own bearer middleware (internal/testmcp),
// which accepts only tokens the OP's userinfo endpoint honours.

type world struct {
	op     *testop.OP
	server string // the MCP server's URL
}

// startWorld runs the OP and an MCP server that requires the given scopes
// (the OP grants openid only).
func startWorld(t *testing.T, scopes ...string) *world {
	op := testop.StartT(t, testop.Options{})
	return &world{op: op, server: testmcp.Start(t, op, scopes...).URL}
}

// userAgent plays the user at the OP's login page, counting the sign-ins.
type userAgent struct {
	op     *testop.OP
	opened atomic.Int32
}

func (b *userAgent) open(u string) error {
	b.opened.Add(1)
	go autologin.Follow(context.Background(), u, b.op.Username, b.op.Password)
	return nil
}

func (w *world) options(t *testing.T, store secretstore.Store, dir string, b *userAgent) Options {
	return Options{ServerURL: w.server, Client: api.MCPClient{ClientID: testop.NativeClientID},
		OpenBrowser: b.open, Notify: func(string, string) {}, ConfigDir: dir, Store: store,
		LoginTimeout: 30 * time.Second, Engine: engine.Options{CacheDir: cacheDir(t)}}
}

// cacheDir shares compiled plugin code between the tests of a run.
var cacheOnce sync.Once
var cacheRoot string

func cacheDir(t *testing.T) string {
	cacheOnce.Do(func() { cacheRoot, _ = os.MkdirTemp("", "mcpclient-cache-") })
	return cacheRoot
}

func TestMain(m *testing.M) {
	code := m.Run()
	if cacheRoot != "" {
		os.RemoveAll(cacheRoot)
	}
	os.Exit(code)
}

func connect(t *testing.T, ctx context.Context, tr *Transport, server string) *mcp.ClientSession {
	t.Helper()
	c := mcp.NewClient(&mcp.Implementation{Name: "test-client", Version: "1"}, nil)
	s, err := c.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: server, HTTPClient: tr.Client(), DisableStandaloneSSE: true}, nil)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// The first request meets the challenge; the plugin discovers the OP from
// the server's metadata, the browser signs in, the request goes again with
// the token. The sign-in is recorded for later processes, which use it
// without a browser.
func TestSignsInOnTheChallengeAndCallsTheTool(t *testing.T) {
	ctx := context.Background()
	w := startWorld(t)
	store, dir, b := secretstore.Memory(), t.TempDir(), &userAgent{op: w.op}
	tr, err := New(ctx, w.options(t, store, dir, b))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	s := connect(t, ctx, tr, w.server)
	res, err := s.CallTool(ctx, &mcp.CallToolParams{Name: "echo"})
	if err != nil || res.IsError || res.Content[0].(*mcp.TextContent).Text != "hello" {
		t.Fatalf("tool call: %+v %v", res, err)
	}
	if b.opened.Load() != 1 {
		t.Fatalf("browser opened %d times", b.opened.Load())
	}
	ix, err := profiles.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	e, ok := ix.Profiles[tr.Profile()]
	if !ok || e.MCPServer != w.server || e.Provider.Issuer != w.op.Issuer || e.Provider.ClientID != testop.NativeClientID {
		t.Fatalf("index entry %+v", ix.Profiles)
	}
	if ix.Default != "" {
		t.Errorf("the MCP sign-in became the default profile %q", ix.Default)
	}

	// Another program (a new Transport, the same store and index) signs
	// nobody in: it reaches the OP's token endpoint from the index.
	b2 := &userAgent{op: w.op}
	tr2, err := New(ctx, w.options(t, store, dir, b2))
	if err != nil {
		t.Fatal(err)
	}
	defer tr2.Close()
	s2 := connect(t, ctx, tr2, w.server)
	if _, err := s2.ListTools(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if b2.opened.Load() != 0 {
		t.Errorf("the second program opened the browser")
	}
}

// Requests that meet the challenge together wait for one sign-in and all
// use its token.
func TestConcurrentRequestsShareOneSignIn(t *testing.T) {
	ctx := context.Background()
	w := startWorld(t)
	b := &userAgent{op: w.op}
	tr, err := New(ctx, w.options(t, secretstore.Memory(), t.TempDir(), b))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for range 6 {
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, w.server, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json, text/event-stream")
			resp, err := tr.Client().Do(req)
			if err != nil {
				errs <- err
				return
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
				errs <- fmt.Errorf("status %d", resp.StatusCode)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := b.opened.Load(); n != 1 {
		t.Errorf("%d sign-ins for 6 requests", n)
	}
}

// A server that wants a scope the OP never grants: the plugin stops after
// its limit and says why, and the next request does not start another
// round of sign-ins.
func TestStopsSigningInAfterTheLimit(t *testing.T) {
	ctx := context.Background()
	w := startWorld(t, "mcp:admin")
	b := &userAgent{op: w.op}
	tr, err := New(ctx, w.options(t, secretstore.Memory(), t.TempDir(), b))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	post := func() error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, w.server, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := tr.Client().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	err = post()
	if err == nil || !strings.Contains(err.Error(), "after 3 authorizations in a row") || !strings.Contains(err.Error(), `"mcp:admin"`) {
		t.Fatalf("got %v", err)
	}
	if n := b.opened.Load(); n != 3 {
		t.Errorf("%d sign-ins, want 3", n)
	}
	if err := post(); err == nil || !strings.Contains(err.Error(), "in a row") {
		t.Fatalf("second request: %v", err)
	}
	if n := b.opened.Load(); n != 3 {
		t.Errorf("the second request signed in again (%d sign-ins)", n)
	}
}

// The token goes to the MCP server's origin and nowhere else.
func TestTokenOnlyForTheServersOrigin(t *testing.T) {
	ctx := context.Background()
	w := startWorld(t)
	var seen []string
	var mu sync.Mutex
	other := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		mu.Unlock()
	}))
	defer other.Close()
	b := &userAgent{op: w.op}
	tr, err := New(ctx, w.options(t, secretstore.Memory(), t.TempDir(), b))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if err := tr.Login(ctx); err != nil {
		t.Fatal(err)
	}
	resp, err := tr.Client().Get(other.URL + "/x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(seen) != 1 || seen[0] != "" {
		t.Errorf("another origin got Authorization %q", seen)
	}
	if b.opened.Load() != 1 {
		t.Errorf("Login opened the browser %d times", b.opened.Load())
	}
}

// A server that asks for no sign-in is reached without the secret store:
// nothing was recorded for it, so an OS keyring that is locked or missing
// must not stand between the client and the server.
func TestServerWithoutAuthorizationLeavesTheStoreAlone(t *testing.T) {
	ctx := context.Background()
	srv := mcptest.Start(t)
	w := &world{op: &testop.OP{}, server: srv.URL}
	store := &unreachableStore{}
	tr, err := New(ctx, w.options(t, store, t.TempDir(), &userAgent{}))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	s := connect(t, ctx, tr, srv.URL)
	if _, err := s.ListTools(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if n := store.asked.Load(); n != 0 {
		t.Fatalf("the secret store was asked %d times", n)
	}
}

// unreachableStore fails as a keyring without a Secret Service does.
type unreachableStore struct{ asked atomic.Int32 }

func (s *unreachableStore) fail() error {
	s.asked.Add(1)
	return fmt.Errorf("%w: no Secret Service here", secretstore.ErrUnavailable)
}
func (s *unreachableStore) Get(string) (string, bool, error) { return "", false, s.fail() }
func (s *unreachableStore) Set(string, string) error         { return s.fail() }
func (s *unreachableStore) Delete(string) error              { return s.fail() }
func (s *unreachableStore) Name() string                     { return "keyring" }
