// Package mcpproxy bridges an MCP client that speaks only stdio to a remote
// MCP server over Streamable HTTP (MCP specification, basic/transports).
//
// Many MCP clients (desktop apps, editors) start their servers as local
// processes and talk newline-delimited JSON-RPC over stdin and stdout. A
// remote server instead takes HTTP POSTs and answers with JSON or a
// server-sent event stream, and it may ask for a sign-in. The bridge relays
// every JSON-RPC message between the two unchanged, at the level of the
// official Go SDK's transports (its stdio connection on one side, its
// streamable HTTP client connection on the other), so requests, responses,
// notifications and the server's own requests within a call (sampling,
// elicitation, roots) pass through without the bridge knowing their meaning.
// The HTTP client is the caller's: whatever signs requests in (an access
// token, answers to 401 and 403 challenges) lives there.
package mcpproxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Options say which server to reach and how.
type Options struct {
	// Endpoint is the MCP endpoint URL of the remote server.
	Endpoint string
	// HTTPClient sends every request to the server. Nil means
	// http.DefaultClient. Its Timeout, if any, bounds whole responses,
	// event streams included, so it is best left zero.
	HTTPClient *http.Client
	// Warn, if set, hears of each message that could not be delivered while
	// the bridge carries on: a notification or response, or a request (which
	// is also answered to the local client with a JSON-RPC error).
	Warn func(error)
}

// Run relays messages between local, the stdio side, and the server until
// the local client closes its input (a clean end: nil), the server's side
// fails for good, or ctx ends. On the way out it ends the HTTP session
// (DELETE, MCP basic/transports "Session Management").
func Run(ctx context.Context, local mcp.Transport, o Options) error {
	if o.HTTPClient == nil {
		o.HTTPClient = http.DefaultClient
	}
	if o.Warn == nil {
		o.Warn = func(error) {}
	}
	version := &sessionVersion{}
	remote, err := (&mcp.StreamableClientTransport{
		Endpoint:   o.Endpoint,
		HTTPClient: version.client(o.HTTPClient),
	}).Connect(ctx)
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", o.Endpoint, err)
	}
	near, err := local.Connect(ctx)
	if err != nil {
		remote.Close()
		return fmt.Errorf("opening the local side: %w", err)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	b := &bridge{local: near, remote: remote, endpoint: o.Endpoint, warn: o.Warn, version: version}

	localDone, remoteDone := make(chan error, 1), make(chan error, 1)
	go func() { localDone <- b.fromLocal(ctx) }()
	go func() { remoteDone <- b.fromRemote(ctx) }()
	var end error
	select {
	case end = <-localDone:
		b.localGone.Store(true)
	case end = <-remoteDone:
	case <-ctx.Done():
		end = ctx.Err()
	}
	// Requests still in flight are abandoned: the client has gone, or the
	// server has (then each is answered with the reason).
	cancel(end)
	remote.Close()
	b.inflight.Wait()
	near.Close()
	return end
}

// bridge is one relay between a local connection and a remote one.
type bridge struct {
	local, remote mcp.Connection
	endpoint      string
	warn          func(error)
	version       *sessionVersion
	inflight      sync.WaitGroup // requests being posted to the server
	localGone     atomic.Bool    // the client closed its input: nobody to answer
}

// fromLocal relays the local client's messages to the server until the
// client closes its input.
//
// A request's POST may stay open for as long as the server takes to answer
// (a JSON answer arrives with the response headers, so the SDK's Write
// returns only then), so each request is posted from its own goroutine and
// the client can go on sending: a second request, a cancellation. Other
// messages are posted in order, so that a notification the client sends
// after a response it received (notifications/initialized after the
// initialize result) reaches the server after it.
func (b *bridge) fromLocal(ctx context.Context) error {
	for {
		msg, err := b.local.Read(ctx)
		switch {
		case errors.Is(err, io.EOF):
			return nil // the client closed its end: the MCP stdio way to shut down
		case err != nil:
			return fmt.Errorf("reading from the local client: %w", err)
		}
		if req, ok := msg.(*jsonrpc.Request); ok && req.IsCall() {
			if req.Method == "initialize" {
				b.version.expect(req.ID)
			}
			b.inflight.Add(1)
			go func() {
				defer b.inflight.Done()
				if err := b.remote.Write(ctx, req); err != nil {
					b.answerUndelivered(ctx, req, err)
				}
			}()
			continue
		}
		if err := b.remote.Write(ctx, msg); err != nil && ctx.Err() == nil {
			b.warn(fmt.Errorf("%s was not delivered to %s: %w", describe(msg), b.endpoint, err))
		}
	}
}

// fromRemote relays what the server sends (responses, its notifications and
// its own requests) to the local client, until the remote side fails.
func (b *bridge) fromRemote(ctx context.Context) error {
	for {
		msg, err := b.remote.Read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("the connection to %s ended: %w", b.endpoint, err)
		}
		if resp, ok := msg.(*jsonrpc.Response); ok {
			b.version.learn(resp)
		}
		if err := b.local.Write(ctx, msg); err != nil {
			return fmt.Errorf("writing to the local client: %w", err)
		}
	}
}

// answerUndelivered tells the local client that its request did not reach
// the server or was refused before any answer, so that it does not wait
// for a response that cannot come. A JSON-RPC error the server sent with an
// HTTP error status is passed on as the server wrote it. A request cut
// short because the server's side failed is answered with that failure.
func (b *bridge) answerUndelivered(ctx context.Context, req *jsonrpc.Request, err error) {
	if b.localGone.Load() {
		return
	}
	if ctx.Err() != nil {
		err = context.Cause(ctx)
	}
	b.warn(fmt.Errorf("the request %q was not delivered to %s: %w", req.Method, b.endpoint, err))
	wire := serverError(err)
	if wire == nil {
		wire = &jsonrpc.Error{Code: jsonrpc.CodeInternalError,
			Message: fmt.Sprintf("the proxy could not deliver %q to %s: %v", req.Method, b.endpoint, err)}
	}
	// The local side stays open until every request is answered (Run).
	answer := &jsonrpc.Response{ID: req.ID, Error: wire}
	if werr := b.local.Write(context.WithoutCancel(ctx), answer); werr != nil {
		b.warn(fmt.Errorf("answering %q with an error: %w", req.Method, werr))
	}
}

// codeRejectedByTransport is the code of the SDK's own marker for "the
// transport did not send this" (jsonrpc2.ErrRejected, internal to the SDK),
// which it wraps around every failed POST; it is not the server's word.
const codeRejectedByTransport = -32005

// serverError finds the JSON-RPC error the server sent with an HTTP error
// status in a failed write, if there is one: the SDK wraps it beside its
// own marker.
func serverError(err error) *jsonrpc.Error {
	if w, ok := err.(*jsonrpc.Error); ok && w.Code != codeRejectedByTransport {
		return w
	}
	switch e := err.(type) {
	case interface{ Unwrap() error }:
		if inner := e.Unwrap(); inner != nil {
			return serverError(inner)
		}
	case interface{ Unwrap() []error }:
		for _, inner := range e.Unwrap() {
			if w := serverError(inner); w != nil {
				return w
			}
		}
	}
	return nil
}

// describe names a message for an error message, without its content.
func describe(msg jsonrpc.Message) string {
	switch m := msg.(type) {
	case *jsonrpc.Request:
		return fmt.Sprintf("the notification %q", m.Method)
	case *jsonrpc.Response:
		return fmt.Sprintf("the response to request %v", m.ID.Raw())
	}
	return "a message"
}
