// Command nativelogin is the native peer of `wasmlogin login` for make
// bench: the same browser sign-in written the usual way, with
// golang.org/x/oauth2 and github.com/coreos/go-oidc/v3 and no sandbox.
// It makes the checks the plugin makes (see plugin/flow/authcode.go and
// plugin/idtoken), so the ratio between the two is what the sandbox costs,
// not what skipped checks save:
//
//   - issuer and every endpoint https, or plain http on loopback only;
//   - OIDC discovery, whose issuer must equal the one asked for (go-oidc);
//   - PKCE S256, a 256-bit state and nonce;
//   - a loopback listener on 127.0.0.1 (random port) that handles exactly
//     one GET /callback;
//   - the callback: no repeated parameter, state (constant time) first,
//     then the RFC 9207 iss, then error, then code;
//   - the code exchange with the verifier; no redirects followed;
//   - an ID token required (scope openid), its signature, iss, aud and exp
//     (go-oidc), azp, iat not in the future, nonce and at_hash;
//   - the token stored as one keyring entry.
package main

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/zalando/go-keyring"
	"golang.org/x/oauth2"
)

type options struct {
	issuer, clientID, service, key string
	scopes                         []string
}

func main() {
	var o options
	var scopes string
	flag.StringVar(&o.issuer, "issuer", "", "OpenID Provider (https, or http on loopback)")
	flag.StringVar(&o.clientID, "client-id", "", "public native client id")
	flag.StringVar(&scopes, "scopes", "openid", "space-separated scopes; must include openid")
	flag.StringVar(&o.service, "service", "wasmlogin-nativelogin", "keyring service")
	flag.StringVar(&o.key, "key", "token", "keyring key")
	timeout := flag.Duration("timeout", 5*time.Minute, "give up after this long")
	flag.Parse()
	o.scopes = strings.Fields(scopes)
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "nativelogin:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	if o.issuer == "" || o.clientID == "" {
		return errors.New("usage: nativelogin -issuer URL -client-id ID [-scopes 'openid ...']")
	}
	if !slices.Contains(o.scopes, "openid") {
		return errors.New("-scopes must include openid: this is an OpenID Connect sign-in")
	}
	if !transportOK(o.issuer) {
		return fmt.Errorf("issuer %q must be https (or http on loopback)", o.issuer)
	}
	// Bounded, and redirects are never followed: a token endpoint that
	// redirects is refused, as the host refuses it.
	client := &http.Client{Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	ctx = oidc.ClientContext(ctx, client)
	ctx = context.WithValue(ctx, oauth2.HTTPClient, client)

	provider, err := oidc.NewProvider(ctx, o.issuer)
	if err != nil {
		return err
	}
	var meta struct {
		IssParameter bool `json:"authorization_response_iss_parameter_supported"`
	}
	if err := provider.Claims(&meta); err != nil {
		return err
	}
	ep := provider.Endpoint()
	for _, u := range []string{ep.AuthURL, ep.TokenURL} {
		if !transportOK(u) {
			return fmt.Errorf("endpoint %q must be https (or http on loopback)", u)
		}
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	conf := &oauth2.Config{ClientID: o.clientID, Endpoint: ep, Scopes: o.scopes,
		RedirectURL: "http://" + ln.Addr().String() + "/callback"}
	verifier, state, nonce := oauth2.GenerateVerifier(), randomToken(), randomToken()
	authURL := conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce))
	fmt.Fprintf(os.Stderr, "Open this URL in your browser to sign in:\n\n  %s\n\n", authURL)
	if err := openBrowser(authURL); err != nil {
		fmt.Fprintln(os.Stderr, "nativelogin:", err)
	}

	// The whole sign-in happens inside the callback, so the page the browser
	// shows says whether it worked (as the host's does).
	complete := func(q url.Values) (string, error) {
		code, err := checkCallback(q, state, o.issuer, meta.IssParameter)
		if err != nil {
			return "", err
		}
		tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
		if err != nil {
			return "", fmt.Errorf("exchanging the code: %w", err)
		}
		if !strings.EqualFold(tok.TokenType, "bearer") && tok.TokenType != "" {
			return "", fmt.Errorf("token type %q is not Bearer", tok.TokenType)
		}
		sub, err := checkIDToken(ctx, provider, o.clientID, nonce, tok)
		if err != nil {
			return "", err
		}
		return sub, store(o, tok)
	}
	sub, err := serveOneCallback(ctx, ln, complete)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "Signed in to %s as %s.\n", o.issuer, sub)
	return nil
}

// checkCallback checks in the order that defends best: state (CSRF), then
// the issuer (mix-up, RFC 9207), and only then an error or a code.
func checkCallback(q url.Values, state, issuer string, issRequired bool) (string, error) {
	for _, name := range []string{"state", "code", "error", "iss"} {
		if len(q[name]) > 1 {
			return "", fmt.Errorf("the redirect carried %s more than once", name)
		}
	}
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
		return "", errors.New("the redirect carried a wrong or missing state")
	}
	if iss, ok := q["iss"]; ok && iss[0] != issuer {
		return "", fmt.Errorf("the redirect names issuer %q, not %q", iss[0], issuer)
	} else if !ok && issRequired {
		return "", errors.New("the server promises an iss parameter (RFC 9207) but the redirect has none")
	}
	if e := q.Get("error"); e != "" {
		return "", fmt.Errorf("the server refused the sign-in: %s (%s)", e, q.Get("error_description"))
	}
	if q.Get("code") == "" {
		return "", errors.New("the redirect carried neither a code nor an error")
	}
	return q.Get("code"), nil
}

func checkIDToken(ctx context.Context, p *oidc.Provider, clientID, nonce string, tok *oauth2.Token) (string, error) {
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return "", errors.New("no ID token although scope openid was requested")
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: clientID}).Verify(ctx, raw)
	if err != nil {
		return "", err
	}
	var c struct {
		AZP string `json:"azp"`
	}
	if err := idt.Claims(&c); err != nil {
		return "", err
	}
	switch {
	case len(idt.Audience) > 1 && c.AZP == "":
		return "", errors.New("id token: azp is required with several audiences")
	case c.AZP != "" && c.AZP != clientID:
		return "", fmt.Errorf("id token: azp %q is not client %q", c.AZP, clientID)
	case idt.IssuedAt.After(time.Now().Add(5 * time.Minute)):
		return "", errors.New("id token: issued in the future")
	case subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1:
		return "", errors.New("id token: wrong nonce")
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return "", err
		}
	}
	return idt.Subject, nil
}

func store(o options, tok *oauth2.Token) error {
	rec := map[string]any{"access_token": tok.AccessToken, "token_type": tok.Type(),
		"refresh_token": tok.RefreshToken, "id_token": tok.Extra("id_token")}
	if !tok.Expiry.IsZero() {
		rec["expires_at"] = tok.Expiry.Unix()
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if err := keyring.Set(o.service, o.key, string(b)); err != nil {
		return fmt.Errorf("OS keyring: %w", err)
	}
	return nil
}

// serveOneCallback answers the first GET /callback with the outcome of
// complete and then stops listening; anything else gets 404 or 405.
func serveOneCallback(ctx context.Context, ln net.Listener, complete func(url.Values) (string, error)) (string, error) {
	type outcome struct {
		sub string
		err error
	}
	done := make(chan outcome, 1)
	claimed := make(chan struct{}, 1)
	claimed <- struct{}{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/callback" {
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		select {
		case <-claimed:
		default:
			http.Error(w, "this sign-in has already received its callback", http.StatusGone)
			return
		}
		sub, err := complete(r.URL.Query())
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Connection", "close")
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintln(w, "Sign-in failed; see the terminal.")
		} else {
			fmt.Fprintln(w, "Signed in. You can close this tab.")
		}
		done <- outcome{sub, err}
	})
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 64 << 10}
	go srv.Serve(ln)
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		if srv.Shutdown(sctx) != nil {
			srv.Close()
		}
	}()
	select {
	case o := <-done:
		return o.sub, o.err
	case <-ctx.Done():
		return "", fmt.Errorf("the browser never came back: %w", ctx.Err())
	}
}

// openBrowser runs $BROWSER with the URL as its last argument, never
// through a shell, as the host does (without its quoting rules: words are
// split on spaces). Without BROWSER it uses xdg-open.
func openBrowser(u string) error {
	words := strings.Fields(os.Getenv("BROWSER"))
	if len(words) == 0 {
		words = []string{"xdg-open"}
	}
	cmd := exec.Command(words[0], append(words[1:], u)...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("could not start %s: %w; open the URL yourself", words[0], err)
	}
	go cmd.Wait()
	return nil
}

func transportOK(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.User != nil {
		return false
	}
	if u.Scheme == "https" {
		return true
	}
	h := u.Hostname()
	ip := net.ParseIP(h)
	return u.Scheme == "http" && (h == "localhost" || ip != nil && ip.IsLoopback())
}

// randomToken is 256 bits, base64url, like the plugin's state and nonce.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}
