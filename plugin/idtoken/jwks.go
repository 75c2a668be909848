// Package idtoken verifies OpenID Connect ID tokens (OIDC Core 3.1.3.7):
// a JWS signature checked against the issuer's published keys (RFC 7515,
// 7517, 7518), then the claims that bind the token to this issuer, this
// client and this login attempt.
package idtoken

import (
	"encoding/base64"
	"errors"
	"math/bits"
	"slices"
	"strconv"
	"strings"

	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/internal/jsonv"
)

// KeySet is the issuer's signing keys, parsed once per JWKS fetch.
type KeySet struct {
	keys []key
	// rejected explains, by kid, keys that were published but are unusable,
	// so a token signed with one gets that reason instead of "unknown key".
	rejected map[string]string
}

type key struct {
	kid string
	alg string // the key's own "alg", empty when the JWKS does not restrict it
	// family is "RSA" for RS*/PS*, or the single JWS alg an EC or OKP key
	// can verify (ES256, ES384, ES512, EdDSA).
	family string
	// jwk is what the Verifier gets: only the members that define the key,
	// re-encoded as base64url without padding or leading zeros.
	jwk api.PublicJWK
}

// RSA modulus sizes accepted: RFC 7518 3.3 and 3.5 require at least 2048
// bits; the upper bound keeps a published key from costing unbounded work.
const (
	minRSABits = 2048
	maxRSABits = 8192
)

// jwkJSON is the members of a JSON Web Key this package reads.
type jwkJSON struct {
	Kty    string
	Use    string
	KeyOps []string
	Kid    string
	Alg    string
	N      string
	E      string
	Crv    string
	X      string
	Y      string
}

func (j *jwkJSON) fields() []jsonv.Field {
	return []jsonv.Field{
		jsonv.Always("kty", &j.Kty),
		jsonv.Always("use", &j.Use),
		jsonv.Always("key_ops", &j.KeyOps),
		jsonv.Always("kid", &j.Kid),
		jsonv.Always("alg", &j.Alg),
		jsonv.Always("n", &j.N),
		jsonv.Always("e", &j.E),
		jsonv.Always("crv", &j.Crv),
		jsonv.Always("x", &j.X),
		jsonv.Always("y", &j.Y),
	}
}

// errSkip marks keys that are not for us (encryption keys, key types this
// package does not verify with); they are ignored without comment.
var errSkip = errors.New("not a supported signing key")

// ParseJWKS reads a JSON Web Key Set (RFC 7517 5). Keys of other types or
// uses are ignored, since issuers publish encryption keys and newer
// algorithms alongside the ones that matter. A malformed or weak signing key
// does not spoil the others, but it is an error when no usable key is left.
func ParseJWKS(body []byte) (*KeySet, error) {
	doc, err := jsonv.Parse(body)
	keys, _ := doc.Get("keys")
	if err != nil || doc.Kind() != jsonv.KindObject && doc.Kind() != jsonv.KindNull ||
		keys.Kind() != jsonv.KindArray && keys.Kind() != jsonv.KindNull {
		return nil, errors.New("jwks: the key set is not a valid JSON object")
	}
	if keys.Kind() == jsonv.KindNull {
		return nil, errors.New(`jwks: the key set has no "keys" array`)
	}
	ks := &KeySet{rejected: map[string]string{}}
	firstProblem := ""
	for i, raw := range keys.Items() {
		var j jwkJSON
		if err := raw.DecodeFields(j.fields()); err != nil {
			firstProblem = firstNonEmpty(firstProblem, "key "+strconv.Itoa(i)+" is not a valid JSON Web Key")
			continue
		}
		k, err := j.parse()
		if errors.Is(err, errSkip) {
			continue
		}
		if err != nil {
			if j.Kid != "" {
				ks.rejected[j.Kid] = err.Error()
			}
			firstProblem = firstNonEmpty(firstProblem, "key "+strconv.Itoa(i)+" (kid "+strconv.Quote(j.Kid)+"): "+err.Error())
			continue
		}
		ks.keys = append(ks.keys, k)
	}
	if len(ks.keys) == 0 {
		if firstProblem != "" {
			return nil, errors.New("jwks: no usable signing key; " + firstProblem)
		}
		return nil, errors.New("jwks: the key set has no RSA, EC or Ed25519 signing key")
	}
	return ks, nil
}

func firstNonEmpty(first, next string) string {
	if first != "" {
		return first
	}
	return next
}

func (j *jwkJSON) parse() (key, error) {
	if j.Use != "" && j.Use != "sig" {
		return key{}, errSkip
	}
	if j.KeyOps != nil && !slices.Contains(j.KeyOps, "verify") {
		return key{}, errSkip
	}
	k := key{kid: j.Kid, alg: j.Alg}
	var err error
	switch j.Kty {
	case "RSA":
		k.family = "RSA"
		k.jwk, err = j.rsaKey()
	case "EC":
		k.family, k.jwk, err = j.ecKey()
	case "OKP":
		k.family = "EdDSA"
		k.jwk, err = j.ed25519Key()
	default:
		return key{}, errSkip
	}
	return k, err
}

// rsaKey checks the modulus size and the exponent here, before any
// signature is checked, so that a key the verifier would refuse, or that
// would cost it unbounded work, never reaches it.
func (j *jwkJSON) rsaKey() (api.PublicJWK, error) {
	n, err := decodeField(j.N, "RSA modulus n")
	if err != nil {
		return api.PublicJWK{}, err
	}
	e, err := decodeField(j.E, "RSA exponent e")
	if err != nil {
		return api.PublicJWK{}, err
	}
	n = trimLeadingZeros(n)
	if bitLen := bitLength(n); bitLen < minRSABits || bitLen > maxRSABits {
		return api.PublicJWK{}, errors.New("RSA key has " + strconv.Itoa(bitLen) + " bits; " +
			strconv.Itoa(minRSABits) + " to " + strconv.Itoa(maxRSABits) + " are accepted")
	}
	if n[len(n)-1]&1 == 0 {
		return api.PublicJWK{}, errors.New("RSA modulus n is even, so it is not an RSA modulus")
	}
	// 3 ≤ e ≤ 2³¹-1 and odd, as crypto/rsa requires.
	e = trimLeadingZeros(e)
	exponent := 0
	if len(e) <= 4 {
		for _, b := range e {
			exponent = exponent<<8 | int(b)
		}
	}
	if exponent < 3 || exponent > 1<<31-1 || exponent&1 == 0 {
		return api.PublicJWK{}, errors.New("RSA exponent e is not a valid public exponent")
	}
	return api.PublicJWK{Kty: "RSA", N: b64.EncodeToString(n), E: b64.EncodeToString(e)}, nil
}

func trimLeadingZeros(b []byte) []byte {
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	return b
}

// bitLength is the length in bits of big-endian b without leading zeros.
func bitLength(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	return 8*(len(b)-1) + bits.Len8(b[0])
}

// ecCurves are the curves of RFC 7518 3.4, each bound to the one JWS alg
// that uses it, with the size of a coordinate in bytes (RFC 7518 6.2.1.2).
var ecCurves = map[string]struct {
	alg  string
	size int
}{
	"P-256": {"ES256", 32},
	"P-384": {"ES384", 48},
	"P-521": {"ES512", 66},
}

// ecKey checks the coordinates' lengths; whether the point lies on the
// curve is the verifier's to check, and it refuses the key if not.
func (j *jwkJSON) ecKey() (string, api.PublicJWK, error) {
	curve, ok := ecCurves[j.Crv]
	if !ok {
		return "", api.PublicJWK{}, errSkip
	}
	x, err := decodeField(j.X, "EC coordinate x")
	if err != nil {
		return "", api.PublicJWK{}, err
	}
	y, err := decodeField(j.Y, "EC coordinate y")
	if err != nil {
		return "", api.PublicJWK{}, err
	}
	if len(x) != curve.size || len(y) != curve.size {
		return "", api.PublicJWK{}, errors.New("EC coordinates for " + j.Crv + " must be " + strconv.Itoa(curve.size) + " bytes each")
	}
	return curve.alg, api.PublicJWK{Kty: "EC", Crv: j.Crv, X: b64.EncodeToString(x), Y: b64.EncodeToString(y)}, nil
}

func (j *jwkJSON) ed25519Key() (api.PublicJWK, error) {
	if j.Crv != "Ed25519" {
		return api.PublicJWK{}, errSkip // Ed448 is not supported; X25519 is not for signatures
	}
	x, err := decodeField(j.X, "Ed25519 key x")
	if err != nil {
		return api.PublicJWK{}, err
	}
	if len(x) != 32 {
		return api.PublicJWK{}, errors.New("Ed25519 key x must be 32 bytes")
	}
	return api.PublicJWK{Kty: "OKP", Crv: "Ed25519", X: b64.EncodeToString(x)}, nil
}

// b64 is the encoding of JWS parts and JWK members (RFC 7515 2).
var b64 = base64.RawURLEncoding

// decodeField tolerates padding, which some issuers add although RFC 7518
// forbids it; it carries no meaning.
func decodeField(value, name string) ([]byte, error) {
	if value == "" {
		return nil, errors.New(name + " is missing")
	}
	b, err := b64.DecodeString(strings.TrimRight(value, "="))
	if err != nil {
		return nil, errors.New(name + " is not valid base64url")
	}
	return b, nil
}
