// Package testmcp runs an MCP server for tests that needs authorization:
// the official Go SDK's streamable HTTP handler behind the SDK's own
// bearer-token middleware and protected resource metadata handler (RFC
// 9728), naming a test OP (internal/testop) as its authorization server.
//
// Nothing in it is a fake: the SDK decides how the server challenges, and
// a token passes only when the OP's userinfo endpoint honours it. The
// server offers one tool, echo, answering "hello".
package testmcp

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/modelcontextprotocol/go-sdk/oauthex"

	"github.com/wasmlogin/wasmlogin/internal/testop"
)

// Server is a running MCP server.
type Server struct {
	// URL is the MCP endpoint, http://127.0.0.1:PORT/mcp.
	URL string
	// Checked counts the tokens the server checked at the OP.
	Checked atomic.Int32
}

// Start serves the MCP endpoint until the test ends. Every request needs a
// token the OP honours and, when scopes are given, those scopes (the check
// grants only "openid", which the OP issues with every user sign-in, so
// another scope is never met).
func Start(t testing.TB, op *testop.OP, scopes ...string) *Server {
	s, stop := Serve(op, scopes...)
	t.Cleanup(stop)
	return s
}

// Serve is Start outside a test (cmd/mcpserver, for hosts in other
// languages): the caller stops the server with the function returned.
func Serve(op *testop.OP, scopes ...string) (*Server, func()) {
	s := &Server{}
	userinfo := op.URL("/userinfo")
	verify := func(ctx context.Context, token string, _ *http.Request) (*auth.TokenInfo, error) {
		s.Checked.Add(1)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, userinfo, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("%w: the OP answered %d", auth.ErrInvalidToken, resp.StatusCode)
		}
		return &auth.TokenInfo{Scopes: []string{"openid"}, Expiration: time.Now().Add(time.Minute)}, nil
	}
	server := mcp.NewServer(&mcp.Implementation{Name: "testmcp", Version: "1"}, nil)
	mcp.AddTool(server, &mcp.Tool{Name: "echo", Description: "says hello"},
		func(context.Context, *mcp.CallToolRequest, struct{}) (*mcp.CallToolResult, any, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "hello"}}}, nil, nil
		})
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	s.URL = srv.URL + "/mcp"
	prm := srv.URL + "/.well-known/oauth-protected-resource/mcp"
	mux.Handle("/.well-known/oauth-protected-resource/mcp", auth.ProtectedResourceMetadataHandler(&oauthex.ProtectedResourceMetadata{
		Resource: s.URL, AuthorizationServers: []string{op.Issuer}, ScopesSupported: []string{"openid"}}))
	mux.Handle("/mcp", auth.RequireBearerToken(verify, &auth.RequireBearerTokenOptions{ResourceMetadataURL: prm, Scopes: scopes})(
		mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, nil)))
	return s, srv.Close
}
