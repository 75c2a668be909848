package idtoken

import "testing"

// BenchmarkVerify is a whole ID token check (header, key choice, signature
// through the Verifier, claims) natively, with Go's crypto as the Verifier.
func BenchmarkVerify(b *testing.B) {
	ks := testKeySet(b)
	for _, c := range []struct {
		alg, kid string
		sign     signer
	}{{"RS256", "rsa1", signRS256}, {"PS256", "rsa1", signPS256}, {"ES256", "ec1", signES256}, {"EdDSA", "ed1", signEdDSA}} {
		token := makeToken(hdr(c.alg, c.kid), baseClaims(), c.sign)
		b.Run(c.alg, func(b *testing.B) {
			for b.Loop() {
				if _, err := Verify(token, ks, baseOptions()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
