package idtoken

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/wasmlogin/wasmlogin/plugin/internal/jsonv"
)

// ErrUnknownKey means no key in the set matches the token. Issuers rotate
// keys, so the caller should fetch the JWKS again, once, and retry.
var ErrUnknownKey = errors.New("id token: signing key is not in the issuer's key set")

// maxTokenLen bounds the work done on input that cannot be an ID token.
const maxTokenLen = 64 << 10

// acceptedAlgs lists the asymmetric algorithms of RFC 7518 and RFC 8037.
// "none" and the HMAC algorithms are absent on purpose: a public client has
// no shared secret, so an HS256 token could only verify if someone used the
// public key as the secret (the key confusion attack).
var acceptedAlgs = map[string]bool{
	"RS256": true, "RS384": true, "RS512": true,
	"PS256": true, "PS384": true, "PS512": true,
	"ES256": true, "ES384": true, "ES512": true,
	"EdDSA": true,
}

type header struct {
	Alg  string
	Kid  string
	Crit bool // the header has a crit member, whatever its value
}

type jws struct {
	header       header
	payload      []byte
	signature    []byte
	signingInput []byte
}

func splitJWS(raw string) (*jws, error) {
	if len(raw) > maxTokenLen {
		return nil, fmt.Errorf("id token: longer than %d bytes", maxTokenLen)
	}
	parts := strings.Split(raw, ".")
	switch len(parts) {
	case 3:
	case 5:
		return nil, errors.New("id token: encrypted (JWE) tokens are not supported")
	default:
		return nil, fmt.Errorf("id token: expected 3 dot-separated parts, found %d", len(parts))
	}
	headerJSON, err := decodePart(parts[0], "header")
	if err != nil {
		return nil, err
	}
	t := &jws{signingInput: []byte(parts[0] + "." + parts[1])}
	h, err := jsonv.Parse(headerJSON)
	if err == nil {
		err = h.DecodeFields([]jsonv.Field{jsonv.Always("alg", &t.header.Alg), jsonv.Always("kid", &t.header.Kid)})
	}
	_, t.header.Crit = h.Get("crit")
	if err != nil {
		return nil, errors.New("id token: header is not a valid JSON object")
	}
	if t.payload, err = decodePart(parts[1], "payload"); err != nil {
		return nil, err
	}
	if t.signature, err = decodePart(parts[2], "signature"); err != nil {
		return nil, err
	}
	return t, nil
}

func decodePart(part, name string) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return nil, fmt.Errorf("id token: %s is not valid base64url", name)
	}
	return b, nil
}

func (t *jws) checkHeader() error {
	alg := t.header.Alg
	switch {
	case alg == "":
		return errors.New("id token: header has no alg")
	case alg == "none":
		return errors.New(`id token: unsigned tokens (alg "none") are not accepted`)
	case !acceptedAlgs[alg]:
		return fmt.Errorf("id token: signing algorithm %q is not accepted", alg)
	case t.header.Crit:
		// RFC 7515 4.1.11: extensions listed in crit must be understood, and
		// this package understands none.
		return errors.New("id token: header has critical extensions (crit), which are not supported")
	}
	return nil
}

// verifySignature picks the keys that may have signed the token and accepts
// it if one of them verifies the signature.
func (t *jws) verifySignature(ks *KeySet) error {
	alg, kid := t.header.Alg, t.header.Kid
	var candidates []key
	for _, k := range ks.keys {
		if kid != "" && k.kid != kid {
			continue
		}
		if k.fits(alg) {
			candidates = append(candidates, k)
		}
	}
	if len(candidates) == 0 {
		if kid == "" {
			return fmt.Errorf("%w (no key for %s)", ErrUnknownKey, alg)
		}
		if reason, ok := ks.rejected[kid]; ok {
			return fmt.Errorf("id token: key %q in the issuer's key set is unusable: %s", kid, reason)
		}
		if slices.ContainsFunc(ks.keys, func(k key) bool { return k.kid == kid }) {
			return fmt.Errorf("id token: key %q cannot verify %s signatures", kid, alg)
		}
		return fmt.Errorf("%w (kid %q)", ErrUnknownKey, kid)
	}
	for _, k := range candidates {
		if verify(alg, k, t.signingInput, t.signature) {
			return nil
		}
	}
	return errors.New("id token: signature is invalid")
}

// fits refuses keys the JWKS restricted to another alg, and keys of the
// wrong type, so one key is never used with two algorithms.
func (k key) fits(alg string) bool {
	if k.alg != "" && k.alg != alg {
		return false
	}
	if k.family == "RSA" {
		return strings.HasPrefix(alg, "RS") || strings.HasPrefix(alg, "PS")
	}
	return k.family == alg
}

func verify(alg string, k key, input, sig []byte) bool {
	if alg == "EdDSA" {
		return k.ed != nil && ed25519.Verify(k.ed, input, sig)
	}
	hash, digest := hashFor(alg, input)
	switch alg[:2] {
	case "RS":
		return k.rsa != nil && rsa.VerifyPKCS1v15(k.rsa, hash, digest, sig) == nil
	case "PS":
		opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash} // RFC 7518 3.5
		return k.rsa != nil && rsa.VerifyPSS(k.rsa, hash, digest, sig, opts) == nil
	}
	// ES256, ES384, ES512; fits has matched the key's curve to alg.
	return k.ec != nil && k.ec.verify(digest, sig)
}

func hashFor(alg string, input []byte) (crypto.Hash, []byte) {
	switch alg[2:] {
	case "256":
		sum := sha256.Sum256(input)
		return crypto.SHA256, sum[:]
	case "384":
		sum := sha512.Sum384(input)
		return crypto.SHA384, sum[:]
	}
	sum := sha512.Sum512(input)
	return crypto.SHA512, sum[:]
}
