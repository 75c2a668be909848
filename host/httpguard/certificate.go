package httpguard

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// Default hints, for hosts that do not name their own settings.
const (
	defaultTrustHint      = "set SSL_CERT_FILE to a PEM file that holds it"
	defaultClientCertHint = "configure the client certificate and key the server expects"
)

// certificateProblem recognises a failed TLS verification, on either side,
// and says what it means. It is not a network blip: trying again meets the
// same certificate, so it is reported as api.HostCertificate, never as a
// transient connect failure.
func (g *Guard) certificateProblem(origin string, err error) *api.Error {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
		op       *net.OpError
	)
	var msg string
	switch {
	case errors.As(err, &unknown):
		msg = fmt.Sprintf("the TLS certificate of %s is not trusted here (%v). "+
			"If your network has its own certificate authority (a company proxy that inspects TLS, or an internal server), trust it: %s",
			origin, unknown, g.trustHint)
	case errors.As(err, &hostname):
		msg = fmt.Sprintf("the TLS certificate presented for %s is for another name (%v); check the URL, or ask whoever runs the network which proxy answered",
			origin, hostname)
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		msg = fmt.Sprintf("the TLS certificate of %s has expired or is not valid yet (%v); check this machine's clock, or tell the server's operators",
			origin, invalid)
	case errors.As(err, &invalid):
		msg = fmt.Sprintf("the TLS certificate of %s was refused (%v)", origin, invalid)
	case errors.As(err, &verify):
		msg = fmt.Sprintf("the TLS certificate of %s was refused (%v)", origin, verify.Err)
	case errors.As(err, &op) && op.Op == "remote error" && strings.Contains(op.Err.Error(), "certificate"):
		// The server's TLS alert about our side: it wants a client
		// certificate (RFC 8705 2) or does not accept the one sent.
		msg = fmt.Sprintf("%s refused the TLS connection over this client's certificate (%v): it asks for mutual TLS; %s",
			origin, op.Err, g.clientCertHint)
	default:
		return nil
	}
	return &api.Error{Code: api.HostCertificate, Message: msg}
}
