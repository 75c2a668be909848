package sigverify

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"math/big"
	"strings"
	"sync"
	"testing"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// testKeys are generated once per test binary; RSA generation is slow.
var testKeys = sync.OnceValue(func() (k struct {
	rsa *rsa.PrivateKey
	ec  map[string]*ecdsa.PrivateKey
	ed  ed25519.PrivateKey
}) {
	k.rsa, _ = rsa.GenerateKey(rand.Reader, 2048)
	k.ec = map[string]*ecdsa.PrivateKey{}
	for name, c := range curves {
		k.ec[name], _ = ecdsa.GenerateKey(c, rand.Reader)
	}
	_, k.ed, _ = ed25519.GenerateKey(rand.Reader)
	return k
})

// signed returns a request carrying a valid alg signature of msg.
func signed(t testing.TB, alg string, msg []byte) api.VerifySignatureRequest {
	t.Helper()
	a, k := algorithms[alg], testKeys()
	req := api.VerifySignatureRequest{Alg: alg, Message: b64.EncodeToString(msg)}
	var sig []byte
	var err error
	switch a.scheme {
	case "pkcs1":
		req.JWK = rsaJWK(&k.rsa.PublicKey)
		sig, err = rsa.SignPKCS1v15(nil, k.rsa, a.hash, digest(a.hash, msg))
	case "pss":
		req.JWK = rsaJWK(&k.rsa.PublicKey)
		sig, err = rsa.SignPSS(rand.Reader, k.rsa, a.hash, digest(a.hash, msg), &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	case "ecdsa":
		priv := k.ec[a.crv]
		point, _ := priv.PublicKey.Bytes()
		size := (len(point) - 1) / 2
		req.JWK = api.PublicJWK{Kty: "EC", Crv: a.crv, X: b64.EncodeToString(point[1 : 1+size]), Y: b64.EncodeToString(point[1+size:])}
		var r, s *big.Int
		r, s, err = ecdsa.Sign(rand.Reader, priv, digest(a.hash, msg))
		if err == nil {
			sig = append(r.FillBytes(make([]byte, size)), s.FillBytes(make([]byte, size))...)
		}
	case "ed25519":
		req.JWK = api.PublicJWK{Kty: "OKP", Crv: "Ed25519", X: b64.EncodeToString(k.ed.Public().(ed25519.PublicKey))}
		sig = ed25519.Sign(k.ed, msg)
	}
	if err != nil {
		t.Fatal(err)
	}
	req.Signature = b64.EncodeToString(sig)
	return req
}

func rsaJWK(pub *rsa.PublicKey) api.PublicJWK {
	return api.PublicJWK{Kty: "RSA", N: b64.EncodeToString(pub.N.Bytes()), E: b64.EncodeToString(big.NewInt(int64(pub.E)).Bytes())}
}

var allAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

func TestVerifyAcceptsValidAndRefusesChangedSignatures(t *testing.T) {
	msg := []byte("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9")
	for _, alg := range allAlgs {
		t.Run(alg, func(t *testing.T) {
			req := signed(t, alg, msg)
			if ok, err := Verify(req); !ok || err != nil {
				t.Fatalf("valid signature: valid %v, error %v", ok, err)
			}
			sig, _ := b64.DecodeString(req.Signature)
			changed := map[string]string{
				"one bit flipped":  b64.EncodeToString(append(append([]byte{}, sig[:len(sig)/2]...), append([]byte{sig[len(sig)/2] ^ 1}, sig[len(sig)/2+1:]...)...)),
				"truncated":        b64.EncodeToString(sig[:len(sig)-1]),
				"a byte appended":  b64.EncodeToString(append(append([]byte{}, sig...), 0)),
				"empty":            "",
				"not base64url":    "!!" + req.Signature,
				"padded":           b64.EncodeToString(sig) + "==",
				"other message":    "",
				"all zero":         b64.EncodeToString(make([]byte, len(sig))),
				"standard base64+": strings.NewReplacer("-", "+", "_", "/").Replace(req.Signature) + "+",
			}
			for name, s := range changed {
				r := req
				r.Signature = s
				if name == "other message" {
					r.Signature, r.Message = req.Signature, b64.EncodeToString(append(msg, '.'))
				}
				if ok, err := Verify(r); ok || err != nil {
					t.Errorf("%s: valid %v, error %v; want valid false and no error", name, ok, err)
				}
			}
		})
	}
}

// The plugin decides, but a guest may be hostile: every request that is
// unusable as such is refused with an error (bad_input), before any work.
func TestVerifyRefusesUnusableRequests(t *testing.T) {
	rs := signed(t, "RS256", []byte("m"))
	es := signed(t, "ES256", []byte("m"))
	ed := signed(t, "EdDSA", []byte("m"))
	oddModulus := func(bits int) string {
		n := make([]byte, (bits+7)/8)
		rand.Read(n)
		n[0] |= 0x80 >> ((8 - bits%8) % 8)
		n[0] &= 0xff >> ((8 - bits%8) % 8)
		n[len(n)-1] |= 1
		return b64.EncodeToString(n)
	}
	offCurve := es.JWK
	y, _ := b64.DecodeString(offCurve.Y)
	y[len(y)-1] ^= 1
	offCurve.Y = b64.EncodeToString(y)
	with := func(req api.VerifySignatureRequest, change func(*api.VerifySignatureRequest)) api.VerifySignatureRequest {
		change(&req)
		return req
	}
	tests := []struct {
		name    string
		req     api.VerifySignatureRequest
		wantErr string
	}{
		{"unknown alg", with(rs, func(r *api.VerifySignatureRequest) { r.Alg = "RS1" }), `unknown alg "RS1"`},
		{"alg none", with(rs, func(r *api.VerifySignatureRequest) { r.Alg = "none" }), `unknown alg "none"`},
		{"HS256", with(rs, func(r *api.VerifySignatureRequest) { r.Alg = "HS256" }), `unknown alg "HS256"`},
		{"alg in another case", with(rs, func(r *api.VerifySignatureRequest) { r.Alg = "rs256" }), "unknown alg"},
		{"ES256 with an RSA key", with(rs, func(r *api.VerifySignatureRequest) { r.Alg = "ES256" }), `ES256 needs a EC P-256 key, not kty "RSA"`},
		{"ES384 with a P-256 key", with(es, func(r *api.VerifySignatureRequest) { r.Alg = "ES384" }), `ES384 needs a EC P-384 key`},
		{"RS256 with an EC key", with(es, func(r *api.VerifySignatureRequest) { r.Alg = "RS256" }), "RS256 needs a RSA key"},
		{"EdDSA with Ed448", with(ed, func(r *api.VerifySignatureRequest) { r.JWK.Crv = "Ed448" }), `EdDSA needs a OKP Ed25519 key, not kty "OKP" with crv "Ed448"`},
		{"RSA key with a crv", with(rs, func(r *api.VerifySignatureRequest) { r.JWK.Crv = "P-256" }), "RS256 needs a RSA key"},
		{"RSA modulus of 1024 bits", with(rs, func(r *api.VerifySignatureRequest) { r.JWK.N = oddModulus(1024) }), "RSA modulus has 1024 bits; 2048 to 8192 are accepted"},
		{"RSA modulus of 2047 bits", with(rs, func(r *api.VerifySignatureRequest) { r.JWK.N = oddModulus(2047) }), "has 2047 bits"},
		{"RSA modulus of 8193 bits", with(rs, func(r *api.VerifySignatureRequest) { r.JWK.N = oddModulus(8193) }), "has 8193 bits"},
		{"RSA modulus of 65536 bits", with(rs, func(r *api.VerifySignatureRequest) { r.JWK.N = oddModulus(65536) }), "has 65536 bits"},
		{"RSA modulus even", with(rs, func(r *api.VerifySignatureRequest) {
			n, _ := b64.DecodeString(r.JWK.N)
			n[len(n)-1] &^= 1
			r.JWK.N = b64.EncodeToString(n)
		}), "RSA modulus is even"},
		{"RSA modulus missing", with(rs, func(r *api.VerifySignatureRequest) { r.JWK.N = "" }), `jwk member "n" is missing`},
		{"RSA modulus padded", with(rs, func(r *api.VerifySignatureRequest) { r.JWK.N += "=" }), `jwk member "n" is not base64url`},
		{"RSA exponent even", with(rs, func(r *api.VerifySignatureRequest) { r.JWK.E = b64.EncodeToString([]byte{1, 0, 0}) }), "RSA exponent must be odd and in 3..2^31-1"},
		{"RSA exponent 1", with(rs, func(r *api.VerifySignatureRequest) { r.JWK.E = b64.EncodeToString([]byte{1}) }), "RSA exponent"},
		{"RSA exponent 2^31+1", with(rs, func(r *api.VerifySignatureRequest) { r.JWK.E = b64.EncodeToString([]byte{0x80, 0, 0, 1}) }), "RSA exponent"},
		{"RSA exponent of 64 bytes", with(rs, func(r *api.VerifySignatureRequest) {
			r.JWK.E = b64.EncodeToString(append(append([]byte{1}, make([]byte, 62)...), 1))
		}), "RSA exponent"},
		{"RSA exponent missing", with(rs, func(r *api.VerifySignatureRequest) { r.JWK.E = "" }), `jwk member "e" is missing`},
		{"EC point not on the curve", with(es, func(r *api.VerifySignatureRequest) { r.JWK = offCurve }), "the point is not on curve P-256"},
		{"EC coordinate short", with(es, func(r *api.VerifySignatureRequest) { r.JWK.X = b64.EncodeToString(make([]byte, 31)) }), "P-256 coordinates must be 32 bytes each, not 31 and 32"},
		{"EC coordinate with a leading zero", with(es, func(r *api.VerifySignatureRequest) {
			x, _ := b64.DecodeString(r.JWK.X)
			r.JWK.X = b64.EncodeToString(append([]byte{0}, x...))
		}), "not 33 and 32"},
		{"EC y missing", with(es, func(r *api.VerifySignatureRequest) { r.JWK.Y = "" }), `jwk member "y" is missing`},
		{"Ed25519 key of 31 bytes", with(ed, func(r *api.VerifySignatureRequest) { r.JWK.X = b64.EncodeToString(make([]byte, 31)) }), "an Ed25519 key is 32 bytes, not 31"},
		{"message not base64url", with(rs, func(r *api.VerifySignatureRequest) { r.Message = "a.b" }), "message is not base64url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := Verify(tt.req)
			if ok || err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("valid %v, error %v; want an error containing %q", ok, err, tt.wantErr)
			}
		})
	}
}

// An ES256 signature in the ASN.1 form (what crypto/ecdsa.SignASN1 makes)
// is not a JWS signature (RFC 7518 3.4) and never verifies.
func TestVerifyRefusesASN1ECDSA(t *testing.T) {
	req := signed(t, "ES256", []byte("m"))
	priv := testKeys().ec["P-256"]
	der, err := ecdsa.SignASN1(rand.Reader, priv, digest(crypto.SHA256, []byte("m")))
	if err != nil {
		t.Fatal(err)
	}
	req.Signature = b64.EncodeToString(der)
	if ok, err := Verify(req); ok || err != nil {
		t.Fatalf("valid %v, error %v", ok, err)
	}
}

// FuzzVerify: a hostile guest's requests never panic, and nothing the
// fuzzer makes of a valid request's signature verifies unless it is that
// signature.
func FuzzVerify(f *testing.F) {
	seeds := map[string]api.VerifySignatureRequest{}
	for _, alg := range allAlgs {
		req := signed(f, alg, []byte("m"))
		seeds[alg] = req
		f.Add(alg, req.JWK.Kty, req.JWK.Crv, req.JWK.N, req.JWK.E, req.JWK.X, req.JWK.Y, req.Message, req.Signature)
	}
	f.Add("RS256", "RSA", "", "AQAB", "AQAB", "", "", "", "")
	f.Fuzz(func(t *testing.T, alg, kty, crv, n, e, x, y, msg, sig string) {
		req := api.VerifySignatureRequest{Alg: alg, JWK: api.PublicJWK{Kty: kty, Crv: crv, N: n, E: e, X: x, Y: y},
			Message: msg, Signature: sig}
		ok, err := Verify(req)
		if ok && err != nil {
			t.Fatalf("valid and an error: %v", err)
		}
		if seed, known := seeds[alg]; ok && known && seed.JWK == req.JWK && seed.Message == msg && seed.Signature != sig {
			t.Fatalf("a changed signature verified: %q", sig)
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	msg := []byte("eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJpc3MiOiJodHRwczovL2lkcC5leGFtcGxlIiwic3ViIjoiYWxpY2UifQ")
	for _, alg := range allAlgs {
		req := signed(b, alg, msg)
		b.Run(alg, func(b *testing.B) {
			for b.Loop() {
				if ok, err := Verify(req); !ok || err != nil {
					b.Fatal(ok, err)
				}
			}
		})
	}
}
