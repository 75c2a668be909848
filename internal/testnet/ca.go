// Package testnet is what tests of corporate networks need on 127.0.0.1:
// a certificate authority of their own (crypto/x509) and a CONNECT proxy.
// Both are fixtures: the proxy only relays bytes, and every TLS decision
// is made by the Go standard library on each side.
package testnet

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// CA is a certificate authority made for one test.
type CA struct {
	Cert *x509.Certificate
	key  *ecdsa.PrivateKey
	// PEMFile is the CA certificate in PEM, the file a user would pass.
	PEMFile string
	Pool    *x509.CertPool
	t       testing.TB
	dir     string
	serial  int64
}

// NewCA makes a CA whose files live in a temporary directory of t.
func NewCA(t testing.TB, name string) *CA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	ca := &CA{Cert: cert, key: key, Pool: x509.NewCertPool(), t: t, dir: t.TempDir(), serial: 1}
	ca.Pool.AddCert(cert)
	ca.PEMFile = ca.write("ca.pem", "CERTIFICATE", der)
	return ca
}

// Leaf is a certificate issued by a CA, with its files.
type Leaf struct {
	TLS               tls.Certificate
	CertFile, KeyFile string
}

// Server issues a server certificate for the names (DNS names or IP
// addresses) valid from notBefore to notAfter; zero times mean valid now.
func (ca *CA) Server(names []string, notBefore, notAfter time.Time) Leaf {
	return ca.issue(names[0], names, x509.ExtKeyUsageServerAuth, notBefore, notAfter)
}

// Client issues a client certificate (mutual TLS).
func (ca *CA) Client(name string) Leaf {
	return ca.issue(name, nil, x509.ExtKeyUsageClientAuth, time.Time{}, time.Time{})
}

func (ca *CA) issue(cn string, names []string, usage x509.ExtKeyUsage, notBefore, notAfter time.Time) Leaf {
	ca.t.Helper()
	if notBefore.IsZero() {
		notBefore, notAfter = time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		ca.t.Fatal(err)
	}
	ca.serial++
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(ca.serial), Subject: pkix.Name{CommonName: cn},
		NotBefore: notBefore, NotAfter: notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.key)
	if err != nil {
		ca.t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		ca.t.Fatal(err)
	}
	leaf := Leaf{CertFile: ca.write(cn+"-"+big.NewInt(ca.serial).String()+".pem", "CERTIFICATE", der),
		KeyFile: ca.write(cn+"-"+big.NewInt(ca.serial).String()+".key", "PRIVATE KEY", keyDER)}
	leaf.TLS, err = tls.LoadX509KeyPair(leaf.CertFile, leaf.KeyFile)
	if err != nil {
		ca.t.Fatal(err)
	}
	return leaf
}

func (ca *CA) write(name, kind string, der []byte) string {
	path := filepath.Join(ca.dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		ca.t.Fatal(err)
	}
	return path
}
