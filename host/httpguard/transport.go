package httpguard

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
)

// TransportOptions are what corporate networks ask of an HTTP client: a
// certificate authority of their own, and sometimes a client certificate.
// Proxies need no option: NewTransport honours HTTPS_PROXY, HTTP_PROXY and
// NO_PROXY as every Go program does (http.ProxyFromEnvironment).
type TransportOptions struct {
	// CAFiles are PEM files of certificate authorities to trust besides the
	// system's: a company's TLS-inspecting proxy, an internal issuer.
	CAFiles []string
	// ClientCertFile and ClientKeyFile are a PEM certificate and its key,
	// presented when a server asks for one (mutual TLS, RFC 8705 2).
	ClientCertFile, ClientKeyFile string
}

// NewTransport returns the transport a Guard should use on this network.
//
// The proxy only carries traffic: the allowlist is applied to each
// request's own URL before it is sent (Guard.check), never to the proxy,
// and an https request goes through the proxy as a CONNECT tunnel, so TLS
// still runs end to end with the authorization server and the server's
// certificate is checked as without a proxy.
func NewTransport(o TransportOptions) (*http.Transport, error) {
	// Cloned so the defaults (timeouts, HTTP/2, proxies from the
	// environment) stay, without sharing state with http.DefaultTransport.
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = http.ProxyFromEnvironment
	if len(o.CAFiles) == 0 && o.ClientCertFile == "" && o.ClientKeyFile == "" {
		return t, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if len(o.CAFiles) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool() // no system store: the given authorities alone
		}
		for _, f := range o.CAFiles {
			pem, err := os.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("reading the certificate authorities in %s: %w", f, errors.Unwrap(err))
			}
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("%s holds no PEM certificate (-----BEGIN CERTIFICATE-----); give the certificate authority in PEM form", f)
			}
		}
		cfg.RootCAs = pool
	}
	switch {
	case o.ClientCertFile != "" && o.ClientKeyFile != "":
		pair, err := tls.LoadX509KeyPair(o.ClientCertFile, o.ClientKeyFile)
		if err != nil {
			return nil, fmt.Errorf("loading the client certificate %s with its key %s: %v", o.ClientCertFile, o.ClientKeyFile, err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	case o.ClientCertFile != "" || o.ClientKeyFile != "":
		return nil, errors.New("a client certificate needs both the certificate and its private key")
	}
	t.TLSClientConfig = cfg
	return t, nil
}
