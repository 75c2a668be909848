package main

import (
	"crypto/tls"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/internal/testnet"
	"github.com/wasmlogin/wasmlogin/internal/testop"
)

// A company network, on 127.0.0.1: the provider (zitadel/oidc, over TLS)
// has a certificate from the company's own authority and a name only the
// company's proxy resolves; a second one also demands client certificates
// (mutual TLS, RFC 8705). The CA is made by the test with crypto/x509; the
// CONNECT proxy only relays bytes (internal/testnet). A service client
// signs in, so no browser has to cross the proxy too.

// corpProvider starts zitadel/oidc on https://NAME:PORT with a
// certificate of ca, and routes NAME:PORT through the proxy to it.
func corpProvider(t *testing.T, ca *testnet.CA, proxy *testnet.Proxy, name string, clientAuth tls.ClientAuthType) *testop.OP {
	t.Helper()
	cfg := &tls.Config{Certificates: []tls.Certificate{ca.Server([]string{name}, time.Time{}, time.Time{}).TLS},
		ClientAuth: clientAuth, ClientCAs: ca.Pool}
	op := testop.StartT(t, testop.Options{TLS: cfg, Host: name})
	u, _ := url.Parse(op.Issuer)
	proxy.Route(u.Host, "127.0.0.1:"+u.Port())
	return op
}

func TestCorporateNetwork(t *testing.T) {
	ca := testnet.NewCA(t, "Example Corp Root CA")
	proxy := testnet.StartProxy(t)
	op := corpProvider(t, ca, proxy, "login.corp.test", tls.NoClientCert)
	w := newWorld(t, op, "false")
	w.env = append(w.env, "HTTPS_PROXY="+proxy.URL, "https_proxy=", "NO_PROXY=", "no_proxy=", "SSL_CERT_FILE=",
		"SVC_SECRET="+testop.ServiceClientSecret, "WASMLOGIN_HTTP_TIMEOUT=10s")
	tunnels := func() int { return len(proxy.Targets()) }

	// The company's authority is not trusted yet: a certificate problem,
	// said so, with how to trust it; not a network blip to retry.
	r := w.svcLogin("--profile", "corp")
	wantFail(t, r, 6, "the TLS certificate of "+op.Issuer+" is not trusted here (x509: certificate signed by unknown authority). If your network has its own certificate authority")
	mustContain(t, "stderr", r.stderr, "pass the authority's certificate in a PEM file with --ca-file FILE (or set SSL_CERT_FILE=FILE)")
	if strings.Contains(r.stderr, "try again") || tunnels() == 0 {
		t.Fatalf("tunnels %d, stderr %s", tunnels(), r.stderr)
	}

	// --ca-file trusts it; every request goes through the proxy, and the
	// proxy's own address is on no allowlist.
	w.must(append(svcArgs(op), "--profile", "corp", "--ca-file", ca.PEMFile)...)
	u, _ := url.Parse(op.Issuer)
	if got := proxy.Targets(); slices.ContainsFunc(got, func(s string) bool { return s != u.Host }) {
		t.Fatalf("the proxy tunnelled to %v, want only %s", got, u.Host)
	}
	// Later commands use the CA recorded with the profile.
	before := tunnels()
	w.must("token", "--profile", "corp")
	if r := w.must("logout", "--profile", "corp"); !strings.Contains(r.stderr, "Signed out") || tunnels() == before {
		t.Fatalf("logout did not reach the server through the proxy (tunnels %d -> %d): %s", before, tunnels(), r.stderr)
	}

	// SSL_CERT_FILE does the same without a flag.
	w.env = append(w.env, "SSL_CERT_FILE="+ca.PEMFile)
	w.must(append(svcArgs(op), "--profile", "corp2")...)

	// NO_PROXY: the host goes direct, the proxy sees nothing (and the
	// name, which only the proxy resolves, cannot be reached).
	before = tunnels()
	w.env = append(w.env, "NO_PROXY=login.corp.test")
	if r := w.svcLogin("--profile", "corp3"); r.code == 0 || tunnels() != before {
		t.Fatalf("NO_PROXY: exit %d, tunnels %d -> %d\n%s", r.code, before, tunnels(), r.stderr)
	}
}

func TestMutualTLS(t *testing.T) {
	ca := testnet.NewCA(t, "Example Corp Root CA")
	proxy := testnet.StartProxy(t)
	op := corpProvider(t, ca, proxy, "mtls.corp.test", tls.RequireAndVerifyClientCert)
	client := ca.Client("build-agent-7")
	w := newWorld(t, op, "false")
	w.env = append(w.env, "HTTPS_PROXY="+proxy.URL, "https_proxy=", "NO_PROXY=", "no_proxy=",
		"SVC_SECRET="+testop.ServiceClientSecret, "WASMLOGIN_HTTP_TIMEOUT=10s")
	args := append(svcArgs(op), "--profile", "mtls", "--ca-file", ca.PEMFile)

	r := w.run(args...)
	wantFail(t, r, 6, op.Issuer+" refused the TLS connection over this client's certificate")
	mustContain(t, "stderr", r.stderr, "mutual TLS", "--client-cert FILE --client-key FILE")

	r = w.run(append(args, "--client-cert", client.CertFile)...)
	wantFail(t, r, 2, "a client certificate needs both the certificate and its private key")

	w.must(append(args, "--client-cert", client.CertFile, "--client-key", client.KeyFile)...)
	w.must("token", "--profile", "mtls")
	w.must("logout", "--profile", "mtls") // the recorded certificate, without flags
}

func svcArgs(op *testop.OP) []string {
	return []string{"login", "--client-credentials", "--issuer", op.Issuer, "--client-id", testop.ServiceClientID,
		"--client-secret-env", "SVC_SECRET"}
}
