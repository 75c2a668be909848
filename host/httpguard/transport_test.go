package httpguard

import (
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/internal/testnet"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// Corporate networks: a CONNECT proxy, a certificate authority of their
// own, mutual TLS. The servers are httptest servers with certificates of a
// CA made by the test; the proxy only relays bytes (internal/testnet).

// tlsServer serves "ok" over TLS with cert; clientCAs, when set, demands a
// client certificate issued by them.
func tlsServer(t *testing.T, cert tls.Certificate, clientCA *testnet.CA) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who := ""
		if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
			who = r.TLS.PeerCertificates[0].Subject.CommonName
		}
		fmt.Fprintf(w, "ok %s", who)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	if clientCA != nil {
		srv.TLS.ClientAuth, srv.TLS.ClientCAs = tls.RequireAndVerifyClientCert, clientCA.Pool
	}
	srv.Config.ErrorLog = quietLog()
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func guardWith(t *testing.T, o TransportOptions, proxy string, allow ...string) *Guard {
	t.Helper()
	tr, err := NewTransport(o)
	if err != nil {
		t.Fatal(err)
	}
	if proxy != "" {
		u, _ := url.Parse(proxy)
		tr.Proxy = http.ProxyURL(u) // the environment is read once per process; the binary's tests use it
	}
	g := New(Options{Client: &http.Client{Transport: tr}, Timeout: 10 * time.Second,
		TrustHint: "TRUST-HINT", ClientCertHint: "CLIENT-HINT"})
	for _, a := range allow {
		g.Allow(a)
	}
	return g
}

func TestProxyCarriesTheAllowedTargetOnly(t *testing.T) {
	ca := testnet.NewCA(t, "corp CA")
	srv := tlsServer(t, ca.Server([]string{"issuer.corp.test"}, time.Time{}, time.Time{}).TLS, nil)
	proxy := testnet.StartProxy(t)
	proxy.Route("issuer.corp.test:443", srv.Listener.Addr().String())

	// The proxy's own origin is not allowed: the allowlist is about targets.
	g := guardWith(t, TransportOptions{CAFiles: []string{ca.PEMFile}}, proxy.URL, "https://issuer.corp.test")
	resp := wantOK(t, get(t, g, "https://issuer.corp.test/.well-known/openid-configuration"))
	if resp.Body != "ok " {
		t.Fatalf("body %q", resp.Body)
	}
	if got := proxy.Targets(); len(got) != 1 || got[0] != "issuer.corp.test:443" {
		t.Fatalf("proxy tunnels %v, want one to issuer.corp.test:443", got)
	}
	wantCode(t, get(t, g, "https://elsewhere.corp.test/"), api.HostDisallowedHost)
	if got := proxy.Targets(); len(got) != 1 {
		t.Fatalf("a refused target reached the proxy: %v", got)
	}
}

func TestCertificateAuthorityFromAFile(t *testing.T) {
	ca := testnet.NewCA(t, "corp CA")
	srv := tlsServer(t, ca.Server([]string{"127.0.0.1"}, time.Time{}, time.Time{}).TLS, nil)

	e := wantCode(t, get(t, guardWith(t, TransportOptions{}, "", srv.URL), srv.URL), api.HostCertificate)
	for _, want := range []string{"not trusted here", "unknown authority", "TRUST-HINT", srv.URL} {
		if !strings.Contains(e.Message, want) {
			t.Errorf("message %q lacks %q", e.Message, want)
		}
	}
	if strings.Contains(e.Message, "try again") {
		t.Errorf("a certificate problem is not transient: %q", e.Message)
	}
	wantOK(t, get(t, guardWith(t, TransportOptions{CAFiles: []string{ca.PEMFile}}, "", srv.URL), srv.URL))
}

func TestCertificateForAnotherNameOrExpired(t *testing.T) {
	ca := testnet.NewCA(t, "corp CA")
	other := tlsServer(t, ca.Server([]string{"other.corp.test"}, time.Time{}, time.Time{}).TLS, nil)
	old := tlsServer(t, ca.Server([]string{"127.0.0.1"}, time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour)).TLS, nil)
	trusting := TransportOptions{CAFiles: []string{ca.PEMFile}}
	if e := wantCode(t, get(t, guardWith(t, trusting, "", other.URL), other.URL), api.HostCertificate); !strings.Contains(e.Message, "for another name") {
		t.Errorf("wrong name: %q", e.Message)
	}
	if e := wantCode(t, get(t, guardWith(t, trusting, "", old.URL), old.URL), api.HostCertificate); !strings.Contains(e.Message, "expired") {
		t.Errorf("expired: %q", e.Message)
	}
}

func TestClientCertificate(t *testing.T) {
	ca := testnet.NewCA(t, "corp CA")
	srv := tlsServer(t, ca.Server([]string{"127.0.0.1"}, time.Time{}, time.Time{}).TLS, ca)
	client := ca.Client("laptop-42")

	e := wantCode(t, get(t, guardWith(t, TransportOptions{CAFiles: []string{ca.PEMFile}}, "", srv.URL), srv.URL), api.HostCertificate)
	if !strings.Contains(e.Message, "mutual TLS") || !strings.Contains(e.Message, "CLIENT-HINT") {
		t.Errorf("no client certificate: %q", e.Message)
	}
	g := guardWith(t, TransportOptions{CAFiles: []string{ca.PEMFile}, ClientCertFile: client.CertFile, ClientKeyFile: client.KeyFile}, "", srv.URL)
	if resp := wantOK(t, get(t, g, srv.URL)); resp.Body != "ok laptop-42" {
		t.Fatalf("the server saw %q", resp.Body)
	}
}

func TestTransportOptionsChecked(t *testing.T) {
	ca := testnet.NewCA(t, "corp CA")
	client := ca.Client("laptop-42")
	notPEM := filepath.Join(t.TempDir(), "ca.der")
	os.WriteFile(notPEM, ca.Cert.Raw, 0o600)
	for _, c := range []struct {
		o    TransportOptions
		want string
	}{
		{TransportOptions{CAFiles: []string{filepath.Join(t.TempDir(), "missing.pem")}}, "no such file"},
		{TransportOptions{CAFiles: []string{notPEM}}, "holds no PEM certificate"},
		{TransportOptions{ClientCertFile: client.CertFile}, "needs both"},
		{TransportOptions{ClientCertFile: client.CertFile, ClientKeyFile: ca.PEMFile}, "loading the client certificate"},
	} {
		if _, err := NewTransport(c.o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want %q", c.o, err, c.want)
		}
	}
}

// quietLog keeps the servers' TLS handshake complaints, which the tests
// provoke, out of the test output.
func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }
