// Package mcptest starts a real MCP server for tests: the official Go SDK's
// server behind its Streamable HTTP handler, on 127.0.0.1. It is the
// independently written peer that the MCP proxy is tested and measured
// against; nothing in it imitates a server by hand.
//
// Its tools exercise every direction a message can travel: "add" answers
// at once, "consult" asks the client to sample a message and to fill in a
// form (server-initiated requests within a call) and reports progress on
// the way (server notifications). The server records what reached it over
// HTTP, so tests can check what a client sent without trusting the client.
package mcptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Server is a running MCP server.
type Server struct {
	// URL is its MCP endpoint.
	URL string
	// RootsChanged receives one value per notifications/roots/list_changed
	// the server handled: a notification from the client.
	RootsChanged chan struct{}

	mu       sync.Mutex
	requests []Request
}

// Request is one HTTP request the server received.
type Request struct {
	HTTPMethod string // POST, GET or DELETE
	// RPCMethod is the JSON-RPC method of a POSTed request or notification,
	// "" for a response or anything else.
	RPCMethod string
	// ProtocolVersion is the MCP-Protocol-Version header.
	ProtocolVersion string
	// SessionID is the Mcp-Session-Id header.
	SessionID string
}

// AddArgs are the arguments of the "add" tool.
type AddArgs struct {
	A int `json:"a" jsonschema:"the first addend"`
	B int `json:"b" jsonschema:"the second addend"`
}

// AddResult is what "add" returns, as structured content.
type AddResult struct {
	Sum int `json:"sum"`
}

// ConsultResult is what "consult" returns: the sampled text and the name
// the client's user gave in the form.
type ConsultResult struct {
	Sampled string `json:"sampled"`
	Name    string `json:"name"`
}

// Start runs a server until the test ends.
func Start(t testing.TB) *Server {
	s := &Server{RootsChanged: make(chan struct{}, 16)}
	server := mcp.NewServer(&mcp.Implementation{Name: "mcptest", Version: "1.0.0"}, &mcp.ServerOptions{
		RootsListChangedHandler: func(context.Context, *mcp.RootsListChangedRequest) {
			s.RootsChanged <- struct{}{}
		},
	})
	mcp.AddTool(server, &mcp.Tool{Name: "add", Description: "Add two integers."},
		func(_ context.Context, _ *mcp.CallToolRequest, in AddArgs) (*mcp.CallToolResult, AddResult, error) {
			return nil, AddResult{Sum: in.A + in.B}, nil
		})
	mcp.AddTool(server, &mcp.Tool{Name: "consult", Description: "Ask the client to sample a message and the user for a name."},
		consult)
	handler := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, nil)
	hs := httptest.NewServer(s.record(handler))
	t.Cleanup(hs.Close)
	s.URL = hs.URL + "/mcp"
	return s
}

// consult makes two requests of the client within one call, with progress
// notifications between them.
func consult(ctx context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, ConsultResult, error) {
	progress := func(n float64, msg string) {
		if token := req.Params.GetProgressToken(); token != nil {
			req.Session.NotifyProgress(ctx, &mcp.ProgressNotificationParams{ProgressToken: token, Progress: n, Total: 2, Message: msg})
		}
	}
	progress(0, "sampling")
	sampled, err := req.Session.CreateMessage(ctx, &mcp.CreateMessageParams{MaxTokens: 16,
		Messages: []*mcp.SamplingMessage{{Role: "user", Content: &mcp.TextContent{Text: "say hello"}}}})
	if err != nil {
		return nil, ConsultResult{}, fmt.Errorf("sampling: %w", err)
	}
	progress(1, "asking the user")
	form, err := req.Session.Elicit(ctx, &mcp.ElicitParams{Message: "Your name?",
		RequestedSchema: json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}`)})
	if err != nil {
		return nil, ConsultResult{}, fmt.Errorf("elicitation: %w", err)
	}
	progress(2, "done")
	var out ConsultResult
	if text, ok := sampled.Content.(*mcp.TextContent); ok {
		out.Sampled = text.Text
	}
	if form.Action == "accept" {
		out.Name, _ = form.Content["name"].(string)
	}
	return nil, out, nil
}

// record notes each request before the SDK's handler serves it.
func (s *Server) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := Request{HTTPMethod: r.Method, ProtocolVersion: r.Header.Get("Mcp-Protocol-Version"), SessionID: r.Header.Get("Mcp-Session-Id")}
		if r.Method == http.MethodPost {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			var msg struct {
				Method string `json:"method"`
			}
			json.Unmarshal(body, &msg)
			rec.RPCMethod = msg.Method
		}
		s.mu.Lock()
		s.requests = append(s.requests, rec)
		s.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

// Requests returns the HTTP requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}
