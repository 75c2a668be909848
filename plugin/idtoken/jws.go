package idtoken

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/wasmlogin/wasmlogin/plugin/api"
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
		return nil, errors.New("id token: longer than " + strconv.Itoa(maxTokenLen) + " bytes")
	}
	parts := strings.Split(raw, ".")
	switch len(parts) {
	case 3:
	case 5:
		return nil, errors.New("id token: encrypted (JWE) tokens are not supported")
	default:
		return nil, errors.New("id token: expected 3 dot-separated parts, found " + strconv.Itoa(len(parts)))
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
	b, err := b64.DecodeString(part)
	if err != nil {
		return nil, errors.New("id token: " + name + " is not valid base64url")
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
		return errors.New("id token: signing algorithm " + strconv.Quote(alg) + " is not accepted")
	case t.header.Crit:
		// RFC 7515 4.1.11: extensions listed in crit must be understood, and
		// this package understands none.
		return errors.New("id token: header has critical extensions (crit), which are not supported")
	}
	return nil
}

// verifySignature picks the keys that may have signed the token and
// accepts it if the verifier finds the signature valid under one of them.
// Everything but the arithmetic is decided here: the alg has passed
// checkHeader, and fits binds it to the key's type, curve and own alg.
func (t *jws) verifySignature(ks *KeySet, v Verifier) error {
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
			return errors.New("id token: key " + strconv.Quote(kid) + " in the issuer's key set is unusable: " + reason)
		}
		if slices.ContainsFunc(ks.keys, func(k key) bool { return k.kid == kid }) {
			return errors.New("id token: key " + strconv.Quote(kid) + " cannot verify " + alg + " signatures")
		}
		return fmt.Errorf("%w (kid %q)", ErrUnknownKey, kid)
	}
	req := api.VerifySignatureRequest{Alg: alg,
		Message: b64.EncodeToString(t.signingInput), Signature: b64.EncodeToString(t.signature)}
	var refused error
	for _, k := range candidates {
		req.JWK = k.jwk
		valid, err := v.VerifySignature(req)
		switch {
		case err == nil && valid:
			return nil
		case err == nil:
		case err.Code == api.CodeBadInput:
			// The platform refused the key itself (a point off its
			// curve, say): the key is unusable, the token unverified.
			refused = errors.New("id token: key " + strconv.Quote(k.kid) + " in the issuer's key set is unusable: " + err.Message)
		default:
			return fmt.Errorf("id token: the signature could not be checked: %w", err)
		}
	}
	if refused != nil {
		return refused
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
