// Package signing answers the plugin's crypto.sign import (wit/flow.wit):
// it signs with a private key the host holds for a profile, so that a
// client authenticating with private_key_jwt (RFC 7523 2.2) never hands its
// key to the plugin. The plugin builds every claim; this package only
// signs, with Go's crypto: crypto/ecdsa for ES256 and ES384 (the JWS form
// r || s, RFC 7518 3.4), crypto/rsa for RS256 and PS256 (RFC 7518 3.3,
// 3.5), crypto/ed25519 for EdDSA (RFC 8037).
//
// The key is stored in the host's secret store under
// secretstore.SigningKey(profile), a name secretstore.Scoped never serves
// to the plugin.
package signing

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"

	"github.com/wasmlogin/wasmlogin/host/secretstore"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// ErrNoKey is wrapped when no key is stored for the profile (the WIT's
// unavailable); ErrBadRequest when the alg is unknown or does not fit the
// key (bad_input).
var (
	ErrNoKey      = errors.New("no private key stored")
	ErrBadRequest = errors.New("bad signing request")
)

// minRSABits is the smallest RSA key accepted (RFC 7518 3.3).
const minRSABits = 2048

// StoreKey checks a PEM private key and keeps it for profile. It answers
// the JWS algorithm the key signs with by default (ES256 for P-256, ES384
// for P-384, RS256 for RSA, EdDSA for Ed25519), for the caller to tell the
// plugin.
func StoreKey(store secretstore.Store, profile string, pemData []byte) (alg string, err error) {
	key, err := parse(pemData)
	if err != nil {
		return "", err
	}
	algs := algsOf(key)
	if err := store.Set(secretstore.SigningKey(profile), string(pemData)); err != nil {
		return "", err
	}
	return algs[0], nil
}

// DeleteKey forgets profile's key.
func DeleteKey(store secretstore.Store, profile string) error {
	return store.Delete(secretstore.SigningKey(profile))
}

// Signer signs for the granted profiles only, with the keys store holds.
func Signer(store secretstore.Store, granted ...string) func(api.SignRequest) (string, error) {
	granted = slices.Clone(granted)
	return func(req api.SignRequest) (string, error) {
		if !slices.Contains(granted, req.Profile) {
			return "", fmt.Errorf("%w: the host did not grant this instance profile %q, so it does not sign for it", secretstore.ErrDenied, req.Profile)
		}
		raw, found, err := store.Get(secretstore.SigningKey(req.Profile))
		if err != nil {
			return "", err
		}
		if !found {
			return "", fmt.Errorf("%w for profile %q; give the client's private key (PEM) with --private-key-file", ErrNoKey, req.Profile)
		}
		key, err := parse([]byte(raw))
		if err != nil {
			return "", fmt.Errorf("the private key stored for profile %q is unusable: %w", req.Profile, err)
		}
		msg, err := base64.RawURLEncoding.DecodeString(req.Message)
		if err != nil {
			return "", fmt.Errorf("%w: the message is not base64url", ErrBadRequest)
		}
		sig, err := Sign(key, req.Alg, msg)
		if err != nil {
			return "", err
		}
		return base64.RawURLEncoding.EncodeToString(sig), nil
	}
}

// Sign signs msg with key under the JWS algorithm alg, refusing an alg the
// key's type or curve does not fit.
func Sign(key crypto.Signer, alg string, msg []byte) ([]byte, error) {
	if !slices.Contains(algsOf(key), alg) {
		return nil, fmt.Errorf("%w: a %s key does not sign %q; it signs %v", ErrBadRequest, kindOf(key), alg, algsOf(key))
	}
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		h := crypto.SHA256
		if alg == "ES384" {
			h = crypto.SHA384
		}
		digest := hash(h, msg)
		r, s, err := ecdsa.Sign(rand.Reader, k, digest)
		if err != nil {
			return nil, err
		}
		size := (k.Curve.Params().BitSize + 7) / 8
		return append(r.FillBytes(make([]byte, size)), s.FillBytes(make([]byte, size))...), nil
	case *rsa.PrivateKey:
		digest := hash(crypto.SHA256, msg)
		if alg == "PS256" {
			return rsa.SignPSS(rand.Reader, k, crypto.SHA256, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		}
		return rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, digest)
	case ed25519.PrivateKey:
		return ed25519.Sign(k, msg), nil
	}
	return nil, fmt.Errorf("%w: unsupported key", ErrBadRequest)
}

func hash(h crypto.Hash, msg []byte) []byte {
	d := h.New()
	d.Write(msg)
	return d.Sum(nil)
}

// algsOf lists the algorithms a key signs with, its default first.
func algsOf(key crypto.Signer) []string {
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P256():
			return []string{"ES256"}
		case elliptic.P384():
			return []string{"ES384"}
		}
	case *rsa.PrivateKey:
		return []string{"RS256", "PS256"}
	case ed25519.PrivateKey:
		return []string{"EdDSA"}
	}
	return nil
}

func kindOf(key crypto.Signer) string {
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		return "ECDSA " + k.Curve.Params().Name
	case *rsa.PrivateKey:
		return "RSA"
	case ed25519.PrivateKey:
		return "Ed25519"
	}
	return "unknown"
}

// parse reads one PEM private key: PKCS #8 ("PRIVATE KEY"), SEC 1 ("EC
// PRIVATE KEY") or PKCS #1 ("RSA PRIVATE KEY"); an encrypted one or
// another curve is refused with a message that says what to give.
func parse(pemData []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(pemData)
	if block == nil {
		return nil, errors.New("the private key is not PEM (-----BEGIN PRIVATE KEY----- ...)")
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "ENCRYPTED PRIVATE KEY":
		return nil, errors.New("the private key is encrypted; decrypt it first (openssl pkcs8 -in key.pem -out plain.pem)")
	default:
		return nil, fmt.Errorf("the PEM block is %q, not a private key", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("the private key cannot be read: %v", err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok || algsOf(signer) == nil {
		return nil, errors.New("the private key is not P-256, P-384, RSA or Ed25519")
	}
	if k, ok := signer.(*rsa.PrivateKey); ok && k.N.BitLen() < minRSABits {
		return nil, fmt.Errorf("the RSA key has %d bits; at least %d are required (RFC 7518 3.3)", k.N.BitLen(), minRSABits)
	}
	return signer, nil
}
