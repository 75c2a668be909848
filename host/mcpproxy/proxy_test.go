package mcpproxy

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/wasmlogin/wasmlogin/internal/mcptest"
)

// The bridge between the official Go SDK's client on one side of a pair of
// pipes (what a stdio client writes and reads) and the SDK's server behind
// its Streamable HTTP handler on the other. host/mcp_proxy_e2e_test.go
// runs the same through the built binary and real stdin and stdout.

// hangGuard bounds a test that would otherwise wait forever on a message
// that never comes; it is not a speed assertion.
const hangGuard = 30 * time.Second

// piped starts Run on one end of two pipes and returns the client's end as
// a transport, and the channel Run's result arrives on.
func piped(t testing.TB, o Options) (mcp.Transport, <-chan error) {
	t.Helper()
	toProxy, fromClient := io.Pipe()
	toClient, fromProxy := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Run(context.Background(), &mcp.IOTransport{Reader: toProxy, Writer: fromProxy}, o)
	}()
	return &mcp.IOTransport{Reader: toClient, Writer: fromClient}, done
}

// handlers answer the server's requests as a user would, and collect the
// progress the server reports.
type handlers struct {
	progress         chan string
	sampled, elicits int
}

func (h *handlers) client() *mcp.Client {
	return mcp.NewClient(&mcp.Implementation{Name: "proxy-test-client", Version: "1.0.0"}, &mcp.ClientOptions{
		CreateMessageHandler: func(context.Context, *mcp.CreateMessageRequest) (*mcp.CreateMessageResult, error) {
			h.sampled++
			return &mcp.CreateMessageResult{Model: "test", Role: "assistant", Content: &mcp.TextContent{Text: "hello"}}, nil
		},
		ElicitationHandler: func(context.Context, *mcp.ElicitRequest) (*mcp.ElicitResult, error) {
			h.elicits++
			return &mcp.ElicitResult{Action: "accept", Content: map[string]any{"name": "Ada"}}, nil
		},
		ProgressNotificationHandler: func(_ context.Context, req *mcp.ProgressNotificationClientRequest) {
			h.progress <- req.Params.Message
		},
	})
}

func TestRelaysASessionBothWays(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), hangGuard)
	defer cancel()
	srv := mcptest.Start(t)
	local, done := piped(t, Options{Endpoint: srv.URL})
	h := &handlers{progress: make(chan string, 8)}
	client := h.client()
	cs, err := client.Connect(ctx, local, nil)
	if err != nil {
		t.Fatalf("initialize through the proxy: %v", err)
	}
	if got := cs.InitializeResult().ServerInfo.Name; got != "mcptest" {
		t.Fatalf("initialize answered by %q", got)
	}

	tools, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatalf("tools/list: %v", err)
	}
	var names []string
	for _, tool := range tools.Tools {
		names = append(names, tool.Name)
	}
	if slices.Sort(names); !slices.Equal(names, []string{"add", "consult"}) {
		t.Fatalf("tools/list: %v", names)
	}

	sum, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "add", Arguments: map[string]any{"a": 2, "b": 3}})
	if err != nil || sum.IsError {
		t.Fatalf("tools/call add: %v %+v", err, sum)
	}
	if got := sum.StructuredContent.(map[string]any)["sum"]; got != 5.0 {
		t.Fatalf("add(2, 3) = %v", got)
	}

	// Within one call the server asks the client twice and reports progress.
	params := &mcp.CallToolParams{Name: "consult", Arguments: map[string]any{}}
	params.SetProgressToken("p1")
	consulted, err := cs.CallTool(ctx, params)
	if err != nil || consulted.IsError {
		t.Fatalf("tools/call consult: %v %+v", err, consulted)
	}
	if got := consulted.StructuredContent.(map[string]any); got["sampled"] != "hello" || got["name"] != "Ada" || h.sampled != 1 || h.elicits != 1 {
		t.Fatalf("consult = %v after %d sampling and %d elicitation requests", got, h.sampled, h.elicits)
	}
	for _, want := range []string{"sampling", "asking the user", "done"} {
		select {
		case got := <-h.progress:
			if got != want {
				t.Fatalf("progress %q, want %q", got, want)
			}
		case <-ctx.Done():
			t.Fatalf("progress %q never arrived", want)
		}
	}

	// A notification from the client.
	client.AddRoots(&mcp.Root{URI: "file:///work"})
	select {
	case <-srv.RootsChanged:
	case <-ctx.Done():
		t.Fatal("notifications/roots/list_changed never reached the server")
	}

	// Closing the client's end ends the proxy cleanly and the HTTP session.
	if err := cs.Close(); err != nil {
		t.Fatalf("closing the client: %v", err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run after the client closed its input: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("Run did not return after the client closed its input")
	}

	// What reached the server: after initialize, every request names the
	// negotiated version and the session; the session was ended.
	version := cs.InitializeResult().ProtocolVersion
	reqs := srv.Requests()
	initialized := slices.IndexFunc(reqs, func(r mcptest.Request) bool { return r.RPCMethod == "initialize" })
	if initialized < 0 {
		t.Fatalf("no initialize reached the server: %+v", reqs)
	}
	session := ""
	for _, r := range reqs[initialized+1:] {
		if r.ProtocolVersion != version || r.SessionID == "" || (session != "" && r.SessionID != session) {
			t.Fatalf("after initialize (version %s) a request came with %+v; all: %+v", version, r, reqs)
		}
		session = r.SessionID
	}
	if last := reqs[len(reqs)-1]; last.HTTPMethod != http.MethodDelete {
		t.Fatalf("the session was not ended with DELETE: %+v", reqs)
	}
}

// A request that cannot reach the server is answered with a JSON-RPC error
// that says so, instead of leaving the client waiting.
func TestUndeliverableRequestIsAnswered(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), hangGuard)
	defer cancel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + l.Addr().String() + "/mcp"
	l.Close() // nothing listens there now
	local, done := piped(t, Options{Endpoint: endpoint})
	_, err = (&handlers{}).client().Connect(ctx, local, nil)
	if err == nil || !strings.Contains(err.Error(), `could not deliver "initialize" to `+endpoint) {
		t.Fatalf("initialize to a closed port: %v", err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run after the client gave up: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("Run did not return after the client closed its input")
	}
}

// A server that refuses every request ends the bridge with its reason, and
// the pending request is answered first. The server here is written by
// hand on purpose: it reproduces a refusal (HTTP 401 without a sign-in),
// which a real server does only with an authorization layer.
func TestRefusingServerEndsTheBridge(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), hangGuard)
	defer cancel()
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer resource_metadata="http://127.0.0.1/.well-known/oauth-protected-resource"`)
		http.Error(w, "sign in first", http.StatusUnauthorized)
	}))
	defer refusing.Close()
	var mu sync.Mutex
	var warned []string
	local, done := piped(t, Options{Endpoint: refusing.URL, Warn: func(err error) {
		mu.Lock()
		defer mu.Unlock()
		warned = append(warned, err.Error())
	}})
	_, err := (&handlers{}).client().Connect(ctx, local, nil)
	if err == nil || !strings.Contains(err.Error(), "Unauthorized") {
		t.Fatalf("initialize refused with 401: %v", err)
	}
	// The client gives up and closes its side while the bridge learns the
	// server's side ended: whichever it notices first ends Run, and the
	// refusal is reported either way (the error, or the warning that goes
	// to stderr).
	select {
	case err := <-done:
		mu.Lock()
		reported := strings.Join(warned, "\n")
		mu.Unlock()
		if err != nil {
			reported += "\n" + err.Error()
		}
		if err != nil && !strings.Contains(err.Error(), "the connection to "+refusing.URL+" ended") || !strings.Contains(reported, "Unauthorized") {
			t.Fatalf("Run: %v; warnings: %q", err, warned)
		}
	case <-ctx.Done():
		t.Fatal("Run did not end when the server refused")
	}
}

// The caller's HTTP client sends every request: that is where the sign-in
// plugs in.
func TestRequestsGoThroughTheGivenClient(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), hangGuard)
	defer cancel()
	srv := mcptest.Start(t)
	counted := &countingTransport{next: http.DefaultTransport}
	local, done := piped(t, Options{Endpoint: srv.URL, HTTPClient: &http.Client{Transport: counted}})
	cs, err := (&handlers{}).client().Connect(ctx, local, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cs.ListTools(ctx, nil); err != nil {
		t.Fatal(err)
	}
	cs.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got, want := int(counted.n.Load()), len(srv.Requests()); got != want || got == 0 {
		t.Fatalf("%d requests went through the given client, the server saw %d", got, want)
	}
}

type countingTransport struct {
	n    atomic.Int32
	next http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

// A JSON-RPC error the server sends with an HTTP error status reaches the
// client as the server wrote it, code and data included: here the SDK's
// stateful server refusing a request of protocol 2026-07-28, with the
// versions it supports.
func TestServerErrorPassesThroughUnchanged(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), hangGuard)
	defer cancel()
	srv := mcptest.Start(t)
	local, done := piped(t, Options{Endpoint: srv.URL})
	conn, err := local.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := jsonrpc.MakeID(float64(7))
	list := &jsonrpc.Request{ID: id, Method: "tools/list",
		Params: json.RawMessage(`{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",` +
			`"io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"raw","version":"1"}}}`)}
	if err := conn.Write(ctx, list); err != nil {
		t.Fatal(err)
	}
	msg, err := conn.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	resp, ok := msg.(*jsonrpc.Response)
	if !ok || resp.ID != id {
		t.Fatalf("answer to tools/list: %#v", msg)
	}
	wire, ok := resp.Error.(*jsonrpc.Error)
	if !ok || wire.Code != -32022 || !strings.Contains(string(wire.Data), `"supported"`) {
		t.Fatalf("tools/list of protocol 2026-07-28 to a stateful server: %#v", resp.Error)
	}
	conn.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
