package mcpclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/wasmlogin/wasmlogin/host/profiles"
	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/flow"
	"github.com/wasmlogin/wasmlogin/plugin/mcpauth"
)

// maxBody bounds a request body kept in memory to send it again after a
// sign-in: MCP messages are JSON-RPC, far below it.
const maxBody = 16 << 20

// RoundTrip sends req with the server's access token. On a challenge (401,
// or 403 with WWW-Authenticate) it has the plugin authorize and sends req
// again, once per authorization. The plugin bounds the authorizations in a
// row without the server accepting a request (flow.MaxMCPAttempts) and
// says so when it stops, for this request and the ones after it: a server
// that refuses every token costs the user that many sign-ins, not that
// many per request. Requests to any other origin go out as they are,
// without the token.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if o, err := mcpauth.Origin(req.URL.String()); err != nil || o != t.origin {
		return t.base.RoundTrip(req)
	}
	body, err := replayable(req)
	if err != nil {
		return nil, err
	}
	ctx := req.Context()
	tok, err := t.currentToken(ctx)
	if err != nil {
		return nil, err
	}
	resp, err := t.send(req, body, tok)
	for tries := 0; err == nil; tries++ {
		ch := challengeOf(resp)
		if ch == nil {
			t.accepted()
			return resp, nil
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if tries > flow.MaxMCPAttempts { // the plugin stops first; this only bounds a broken one
			return nil, fmt.Errorf("mcpclient: %s kept refusing after %d sign-ins", t.server, tries)
		}
		if tok, err = t.reauthorize(ctx, ch, tok); err != nil {
			return nil, err
		}
		resp, err = t.send(req, body, tok)
	}
	return nil, err
}

// accepted notes that the server took a request: the count of sign-ins in
// a row starts again.
func (t *Transport) accepted() { t.inARow.Store(0) }

// send sends a copy of req with tok (none when empty).
func (t *Transport) send(req *http.Request, body []byte, tok string) (*http.Response, error) {
	out := req.Clone(req.Context())
	if body != nil {
		out.Body = io.NopCloser(bytes.NewReader(body))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		out.ContentLength = int64(len(body))
	}
	if tok != "" {
		out.Header.Set("Authorization", "Bearer "+tok)
	} else {
		out.Header.Del("Authorization")
	}
	return t.base.RoundTrip(out)
}

// replayable reads the body once, so the request can be sent again.
func replayable(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	defer req.Body.Close()
	b, err := io.ReadAll(io.LimitReader(req.Body, maxBody+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxBody {
		return nil, fmt.Errorf("mcpclient: a request body over %d bytes cannot be kept to send again after a sign-in", maxBody)
	}
	return b, nil
}

// challengeOf is the refusal the plugin is asked about: every 401, and a
// 403 that carries a challenge (one without is a plain "forbidden").
func challengeOf(resp *http.Response) *api.MCPChallenge {
	values := resp.Header.Values("WWW-Authenticate")
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
	case resp.StatusCode == http.StatusForbidden && len(values) > 0:
	default:
		return nil
	}
	if values == nil {
		values = []string{}
	}
	return &api.MCPChallenge{Status: resp.StatusCode, WWWAuthenticate: values}
}

// reauthorize runs one sign-in for a challenge, unless another caller in
// this process finished one while this one waited: then its token is used.
func (t *Transport) reauthorize(ctx context.Context, ch *api.MCPChallenge, sent string) (string, error) {
	t.signIn.Lock()
	defer t.signIn.Unlock()
	if cur, ok := t.cached(); ok && cur != sent {
		return cur, nil
	}
	t.guard.SetMCPChallenge(ch.WWWAuthenticate)
	return t.authorize(ctx, ch, int(t.inARow.Add(1)-1))
}

// currentToken is the stored sign-in's access token, refreshed by the
// plugin when due; "" when there is none yet.
//
// A server no sign-in was recorded for (profiles.json) has nothing in the
// secret store, so the store is not asked: a server that needs no
// authorization is reached without touching the OS keyring, which may
// prompt to be unlocked or be missing altogether.
func (t *Transport) currentToken(ctx context.Context) (string, error) {
	if tok, ok := t.cached(); ok {
		return tok, nil
	}
	if ix, err := profiles.Load(t.dir); err != nil {
		return "", err
	} else if _, ok := ix.Profiles[t.profile]; !ok {
		return "", nil
	}
	var res *api.TokenResult
	err := t.locked(ctx, func() (err error) {
		res, err = t.inst.Token(ctx, api.TokenInput{ProfileRef: api.ProfileRef{Profile: t.profile}})
		return err
	})
	var fe *api.Error
	switch {
	case errors.As(err, &fe) && fe.Code == api.CodeLoginRequired:
		return "", nil
	case err != nil:
		return "", err
	}
	t.remember(res)
	return res.AccessToken, nil
}

// cached is the token while it stays valid for flow.AccessTokenSkew.
func (t *Transport) cached() (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token == "" || (!t.expiry.IsZero() && time.Now().Add(flow.AccessTokenSkew).After(t.expiry)) {
		return "", false
	}
	return t.token, true
}

func (t *Transport) remember(res *api.TokenResult) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.token, t.expiry = res.AccessToken, time.Time{}
	if res.ExpiresAt != 0 {
		t.expiry = time.Unix(res.ExpiresAt, 0)
	}
	if !strings.EqualFold(res.TokenType, "Bearer") && res.TokenType != "" {
		t.token = "" // only bearer tokens go in an Authorization: Bearer header
	}
}

// locked runs one plugin call that may rewrite the stored sign-in under the
// profile's lock (wit/EMBEDDING.md, "One refresh at a time per profile").
func (t *Transport) locked(ctx context.Context, call func() error) error {
	unlock, err := profiles.Lock(ctx, t.dir, t.profile)
	if err != nil {
		return err
	}
	defer unlock()
	return call()
}
