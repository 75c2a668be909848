package httpguard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// exchange sends the request and reads the capped response. Error messages
// deliberately leave out request and response bodies and the URL's path and
// query: those may hold codes, tokens or client secrets.
func (g *Guard) exchange(ctx context.Context, req api.HTTPRequest, target *url.URL, origin string) (*api.HTTPResponse, *api.Error) {
	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()

	var body io.Reader
	if req.Body != "" {
		body = strings.NewReader(req.Body)
	}
	hreq, err := http.NewRequestWithContext(ctx, req.Method, target.String(), body)
	if err != nil {
		return nil, &api.Error{Code: api.HostDisallowedHost, Message: fmt.Sprintf("cannot build a request to %s: %v", origin, err)}
	}
	for name, values := range req.Headers {
		for _, v := range values {
			hreq.Header.Add(name, v)
		}
	}
	if hreq.Header.Get("User-Agent") == "" {
		hreq.Header.Set("User-Agent", userAgent)
	}

	resp, err := g.client.Do(hreq)
	if err != nil {
		return nil, g.transportError(ctx, origin, "connecting to", err)
	}
	defer resp.Body.Close()

	// Read one byte past the cap: that byte proves the body is too large
	// without buffering the rest of it.
	data, err := io.ReadAll(io.LimitReader(resp.Body, g.maxBytes+1))
	if err != nil {
		return nil, g.transportError(ctx, origin, "reading the response from", err)
	}
	if int64(len(data)) > g.maxBytes {
		return nil, &api.Error{
			Code: api.HostTooLarge,
			Message: fmt.Sprintf("the response from %s is larger than %d bytes, more than any OAuth or OpenID Connect answer needs; "+
				"check that the issuer URL points at the authorization server", origin, g.maxBytes),
		}
	}
	headers := make(map[string][]string, len(resp.Header))
	for name, values := range resp.Header {
		headers[name] = append([]string(nil), values...)
	}
	return &api.HTTPResponse{Status: resp.StatusCode, Headers: headers, Body: string(data)}, nil
}

// transportError classifies a failure as a timeout or a connection problem.
func (g *Guard) transportError(ctx context.Context, origin, doing string, err error) *api.Error {
	// url.Error repeats the full URL, query included; keep only the cause.
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	var nerr net.Error
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) ||
		(errors.As(err, &nerr) && nerr.Timeout()) {
		return &api.Error{
			Code: api.HostTimeout,
			Message: fmt.Sprintf("%s %s took longer than %s; the server may be slow or unreachable, try again later",
				capitalize(doing), origin, g.timeout),
		}
	}
	if cert := g.certificateProblem(origin, err); cert != nil {
		return cert
	}
	if errors.Is(err, context.Canceled) {
		return &api.Error{Code: api.HostUnavailable, Message: fmt.Sprintf("the request to %s was cancelled", origin)}
	}
	return &api.Error{
		Code: api.HostConnect,
		Message: fmt.Sprintf("failed %s %s: %v; check the network connection and the issuer URL, then try again",
			doing, origin, err),
	}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
