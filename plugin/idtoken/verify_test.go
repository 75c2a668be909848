package idtoken

import (
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/host/sigverify"
)

const (
	testIssuer = "https://issuer.example/tenant"
	testClient = "client-1"
	testNonce  = "n-0S6_WzA2Mj"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// baseOptions checks signatures with Go's crypto, as the Go host does.
func baseOptions() Options {
	return Options{Verifier: sigverify.Native{}, Issuer: testIssuer, ClientID: testClient, Nonce: testNonce, Now: testNow, Skew: time.Minute, RequireNonce: true}
}

func baseClaims() map[string]any {
	return map[string]any{
		"iss":   testIssuer,
		"sub":   "user-1",
		"aud":   testClient,
		"exp":   testNow.Add(time.Hour).Unix(),
		"iat":   testNow.Add(-time.Minute).Unix(),
		"nonce": testNonce,
		"email": "user@example.com",
	}
}

// with copies base and applies changes; a nil value deletes the claim.
func with(base map[string]any, changes map[string]any) map[string]any {
	out := maps.Clone(base)
	for k, v := range changes {
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	return out
}

func hdr(alg, kid string) map[string]any {
	h := map[string]any{"alg": alg, "typ": "JWT"}
	if kid != "" {
		h["kid"] = kid
	}
	return h
}

func TestVerifyAccepts(t *testing.T) {
	ks := testKeySet(t)
	tests := []struct {
		name   string
		header map[string]any
		claims map[string]any
		sign   signer
		opts   func(*Options)
	}{
		{name: "RS256", header: hdr("RS256", "rsa1"), sign: signRS256},
		{name: "RS256 with a key restricted to RS256", header: hdr("RS256", "rsa-rs256-only"), sign: signRS256},
		{name: "PS256", header: hdr("PS256", "rsa1"), sign: signPS256},
		{name: "ES256", header: hdr("ES256", "ec1"), sign: signES256},
		{name: "EdDSA", header: hdr("EdDSA", "ed1"), sign: signEdDSA},
		{name: "RS256 without kid", header: hdr("RS256", ""), sign: signRS256},
		{name: "ES256 without kid", header: hdr("ES256", ""), sign: signES256},
		{name: "EdDSA without kid", header: hdr("EdDSA", ""), sign: signEdDSA},
		{
			name:   "several audiences with azp",
			header: hdr("RS256", "rsa1"), sign: signRS256,
			claims: with(baseClaims(), map[string]any{"aud": []string{"api://other", testClient}, "azp": testClient}),
		},
		{
			name:   "audience array of one",
			header: hdr("RS256", "rsa1"), sign: signRS256,
			claims: with(baseClaims(), map[string]any{"aud": []string{testClient}}),
		},
		{
			name:   "fractional times",
			header: hdr("RS256", "rsa1"), sign: signRS256,
			claims: with(baseClaims(), map[string]any{"exp": float64(testNow.Unix()) + 3600.5, "iat": float64(testNow.Unix()) - 0.25}),
		},
		{
			name:   "expired within skew",
			header: hdr("RS256", "rsa1"), sign: signRS256,
			claims: with(baseClaims(), map[string]any{"exp": testNow.Add(-30 * time.Second).Unix()}),
		},
		{
			name:   "iat slightly ahead, within skew",
			header: hdr("RS256", "rsa1"), sign: signRS256,
			claims: with(baseClaims(), map[string]any{"iat": testNow.Add(30 * time.Second).Unix()}),
		},
		{
			name:   "within MaxAge",
			header: hdr("RS256", "rsa1"), sign: signRS256,
			opts: func(o *Options) { o.MaxAge = 5 * time.Minute },
		},
		{
			name:   "refresh: no nonce expected, none present",
			header: hdr("RS256", "rsa1"), sign: signRS256,
			claims: with(baseClaims(), map[string]any{"nonce": nil}),
			opts:   func(o *Options) { o.Nonce, o.RequireNonce = "", false },
		},
		{
			name:   "nbf in the past",
			header: hdr("RS256", "rsa1"), sign: signRS256,
			claims: with(baseClaims(), map[string]any{"nbf": testNow.Add(-time.Minute).Unix()}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			claims := tt.claims
			if claims == nil {
				claims = baseClaims()
			}
			opts := baseOptions()
			if tt.opts != nil {
				tt.opts(&opts)
			}
			got, err := Verify(makeToken(tt.header, claims, tt.sign), ks, opts)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if got.Issuer != testIssuer || got.Subject != "user-1" || !strings.Contains(strings.Join(got.Audience, " "), testClient) {
				t.Errorf("claims not extracted: %+v", got)
			}
			if got.Raw["email"] != "user@example.com" {
				t.Errorf("Raw lacks email: %v", got.Raw)
			}
		})
	}
}

func TestVerifyExtractsTimes(t *testing.T) {
	claims := with(baseClaims(), map[string]any{"exp": float64(testNow.Unix()) + 60.5})
	got, err := Verify(makeToken(hdr("ES256", "ec1"), claims, signES256), testKeySet(t), baseOptions())
	if err != nil {
		t.Fatal(err)
	}
	if want := testNow.Add(60*time.Second + 500*time.Millisecond); !got.ExpiresAt.Equal(want) {
		t.Errorf("ExpiresAt = %v, want %v", got.ExpiresAt, want)
	}
	if want := testNow.Add(-time.Minute); !got.IssuedAt.Equal(want) {
		t.Errorf("IssuedAt = %v, want %v", got.IssuedAt, want)
	}
	if got.Nonce != testNonce {
		t.Errorf("Nonce = %q", got.Nonce)
	}
}

func tamper(token string, part int, fn func([]byte) []byte) string {
	parts := strings.Split(token, ".")
	parts[part] = b64.EncodeToString(fn(must(b64.DecodeString(parts[part]))))
	return strings.Join(parts, ".")
}

func TestVerifyRejects(t *testing.T) {
	ks := testKeySet(t)
	valid := makeToken(hdr("RS256", "rsa1"), baseClaims(), signRS256)
	rs := func(claims map[string]any) string { return makeToken(hdr("RS256", "rsa1"), claims, signRS256) }
	tests := []struct {
		name    string
		token   string
		opts    func(*Options)
		wantErr string
		unknown bool // errors.Is(err, ErrUnknownKey)
	}{
		{name: "bad RSA signature", token: tamper(valid, 2, func(b []byte) []byte { b[10] ^= 1; return b }), wantErr: "id token: signature is invalid"},
		{name: "payload changed after signing", token: tamper(valid, 1, func(b []byte) []byte {
			return []byte(strings.Replace(string(b), "user-1", "admin", 1))
		}), wantErr: "id token: signature is invalid"},
		{name: "bad EdDSA signature", token: tamper(makeToken(hdr("EdDSA", "ed1"), baseClaims(), signEdDSA), 2, func(b []byte) []byte { b[0] ^= 1; return b }), wantErr: "signature is invalid"},
		{name: "ES256 signature in ASN.1 form", token: makeToken(hdr("ES256", "ec1"), baseClaims(), signES256ASN1), wantErr: "signature is invalid"},
		{name: "ES256 signature checked against RSA kid", token: makeToken(hdr("ES256", "rsa1"), baseClaims(), signES256), wantErr: `id token: key "rsa1" cannot verify ES256 signatures`},
		{name: "PS256 with a key restricted to RS256", token: makeToken(hdr("PS256", "rsa-rs256-only"), baseClaims(), signPS256), wantErr: `key "rsa-rs256-only" cannot verify PS256`},
		{name: "RS256 signature labelled PS256", token: makeToken(hdr("PS256", "rsa1"), baseClaims(), signRS256), wantErr: "signature is invalid"},
		{name: "alg none", token: makeToken(hdr("none", ""), baseClaims(), unsigned), wantErr: `id token: unsigned tokens (alg "none") are not accepted`},
		{name: "alg None", token: makeToken(hdr("None", ""), baseClaims(), unsigned), wantErr: `id token: signing algorithm "None" is not accepted`},
		{name: "HS256 keyed with the RSA public key", token: makeToken(hdr("HS256", "rsa1"), baseClaims(), signHS256WithPublicKey), wantErr: `id token: signing algorithm "HS256" is not accepted`},
		{name: "missing alg", token: makeToken(map[string]any{"kid": "rsa1"}, baseClaims(), signRS256), wantErr: "id token: header has no alg"},
		{name: "unknown kid", token: makeToken(hdr("RS256", "rotated-key"), baseClaims(), signRS256), wantErr: `(kid "rotated-key")`, unknown: true},
		{name: "encryption key kid", token: makeToken(hdr("RS256", "enc1"), baseClaims(), signRS256), unknown: true},
		{name: "no kid and no key for the alg", token: makeToken(hdr("ES384", ""), baseClaims(), signES256), wantErr: "(no key for ES384)", unknown: true},
		{name: "crit header", token: makeToken(map[string]any{"alg": "RS256", "kid": "rsa1", "crit": []string{"exp"}, "exp": 1}, baseClaims(), signRS256), wantErr: "id token: header has critical extensions (crit)"},
		{name: "crit header with null", token: makeToken(map[string]any{"alg": "RS256", "kid": "rsa1", "crit": nil}, baseClaims(), signRS256), wantErr: "header has critical extensions (crit)"},
		{name: "header names are case-sensitive", token: makeToken(map[string]any{"ALG": "RS256", "kid": "rsa1"}, baseClaims(), signRS256), wantErr: "id token: header has no alg"},
		{name: "alg not a string", token: makeToken(map[string]any{"alg": 256, "kid": "rsa1"}, baseClaims(), signRS256), wantErr: "id token: header is not a valid JSON object"},
		{name: "malformed base64 header", token: "eyJ!!!." + strings.SplitN(valid, ".", 2)[1], wantErr: "id token: header is not valid base64url"},
		{name: "padded base64 signature", token: valid + "==", wantErr: "id token: signature is not valid base64url"},
		{name: "header not JSON", token: b64.EncodeToString([]byte("RS256")) + "." + strings.SplitN(valid, ".", 2)[1], wantErr: "id token: header is not a valid JSON object"},
		{name: "two parts", token: valid[:strings.LastIndex(valid, ".")], wantErr: "id token: expected 3 dot-separated parts, found 2"},
		{name: "empty token", token: "", wantErr: "found 1"},
		{name: "JWE", token: "a.b.c.d.e", wantErr: "id token: encrypted (JWE) tokens are not supported"},
		{name: "too long", token: strings.Repeat("a", maxTokenLen+1), wantErr: "id token: longer than"},
		{name: "payload is an array", token: makeToken(hdr("RS256", "rsa1"), []string{"x"}, signRS256), wantErr: "id token: payload is not a JSON object"},
		{name: "payload nested too deeply", token: makeToken(hdr("RS256", "rsa1"), []byte(`{"iss":`+strings.Repeat("[", 64)+strings.Repeat("]", 64)+`}`), signRS256), wantErr: "id token: payload is not a JSON object"},
		{name: "payload with trailing data", token: makeToken(hdr("RS256", "rsa1"), []byte(`{"iss":"x"}}`), signRS256), wantErr: "id token: payload has data after the JSON object"},
		{name: "wrong issuer", token: rs(with(baseClaims(), map[string]any{"iss": "https://evil.example"})), wantErr: `id token: issuer "https://evil.example" does not match "https://issuer.example/tenant"`},
		{name: "issuer with trailing slash", token: rs(with(baseClaims(), map[string]any{"iss": testIssuer + "/"})), wantErr: "does not match"},
		{name: "missing iss", token: rs(with(baseClaims(), map[string]any{"iss": nil})), wantErr: "id token: missing iss"},
		{name: "iss not a string", token: rs(with(baseClaims(), map[string]any{"iss": 7})), wantErr: "id token: iss is not a string"},
		{name: "wrong audience", token: rs(with(baseClaims(), map[string]any{"aud": "client-2"})), wantErr: `id token: audience ["client-2"] does not include client "client-1"`},
		{name: "missing aud", token: rs(with(baseClaims(), map[string]any{"aud": nil})), wantErr: "id token: missing aud"},
		{name: "aud with a number", token: rs(with(baseClaims(), map[string]any{"aud": []any{testClient, 3}})), wantErr: "id token: aud contains a value that is not a string"},
		{name: "aud an object", token: rs(with(baseClaims(), map[string]any{"aud": map[string]any{}})), wantErr: "id token: aud is not a string or an array of strings"},
		{name: "several audiences without azp", token: rs(with(baseClaims(), map[string]any{"aud": []string{testClient, "api://other"}})), wantErr: "id token: azp is required when the token has several audiences"},
		{name: "wrong azp", token: rs(with(baseClaims(), map[string]any{"azp": "client-2"})), wantErr: `id token: authorized party (azp) "client-2" is not client "client-1"`},
		{name: "wrong azp with several audiences", token: rs(with(baseClaims(), map[string]any{"aud": []string{testClient, "client-2"}, "azp": "client-2"})), wantErr: "authorized party (azp)"},
		{name: "expired", token: rs(with(baseClaims(), map[string]any{"exp": testNow.Add(-2 * time.Minute).Unix()})), wantErr: "id token: expired at 2026-03-01T11:58:00Z"},
		{name: "expired exactly at now plus skew", token: rs(with(baseClaims(), map[string]any{"exp": testNow.Add(-time.Minute).Unix()})), wantErr: "id token: expired at"},
		{name: "missing exp", token: rs(with(baseClaims(), map[string]any{"exp": nil})), wantErr: "id token: missing exp"},
		{name: "exp as string", token: rs(with(baseClaims(), map[string]any{"exp": "1772370000"})), wantErr: "id token: exp is not a number"},
		{name: "exp out of range", token: rs(with(baseClaims(), map[string]any{"exp": 1e300})), wantErr: "id token: exp is out of range"},
		{name: "missing iat", token: rs(with(baseClaims(), map[string]any{"iat": nil})), wantErr: "id token: missing iat"},
		{name: "iat far in the future", token: rs(with(baseClaims(), map[string]any{"iat": testNow.Add(time.Hour).Unix()})), wantErr: "id token: issued in the future, at 2026-03-01T13:00:00Z"},
		{name: "iat older than MaxAge", token: rs(with(baseClaims(), map[string]any{"iat": testNow.Add(-time.Hour).Unix()})), opts: func(o *Options) { o.MaxAge = 10 * time.Minute }, wantErr: "id token: issued at 2026-03-01T11:00:00Z, more than 10m0s ago"},
		{name: "nbf in the future", token: rs(with(baseClaims(), map[string]any{"nbf": testNow.Add(time.Hour).Unix()})), wantErr: "id token: not valid before"},
		{name: "missing nonce", token: rs(with(baseClaims(), map[string]any{"nonce": nil})), wantErr: "id token: missing nonce"},
		{name: "mismatched nonce", token: rs(with(baseClaims(), map[string]any{"nonce": "attacker-nonce"})), wantErr: "id token: nonce does not match"},
		{name: "missing sub", token: rs(with(baseClaims(), map[string]any{"sub": nil})), wantErr: "id token: missing sub"},
		{name: "empty sub", token: rs(with(baseClaims(), map[string]any{"sub": ""})), wantErr: "id token: missing sub"},
		{name: "RequireNonce without a nonce", token: valid, opts: func(o *Options) { o.Nonce = "" }, wantErr: "RequireNonce is set but Options.Nonce is empty"},
		{name: "no issuer configured", token: valid, opts: func(o *Options) { o.Issuer = "" }, wantErr: "Options.Issuer is empty"},
		{name: "no client configured", token: valid, opts: func(o *Options) { o.ClientID = "" }, wantErr: "Options.ClientID is empty"},
		{name: "no clock", token: valid, opts: func(o *Options) { o.Now = time.Time{} }, wantErr: "Options.Now is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := baseOptions()
			if tt.opts != nil {
				tt.opts(&opts)
			}
			claims, err := Verify(tt.token, ks, opts)
			if err == nil {
				t.Fatalf("accepted: %+v", claims)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %q, want it to contain %q", err, tt.wantErr)
			}
			if got := errors.Is(err, ErrUnknownKey); got != tt.unknown {
				t.Errorf("errors.Is(err, ErrUnknownKey) = %v, want %v (err %q)", got, tt.unknown, err)
			}
			if strings.Contains(err.Error(), "eyJ") || strings.Contains(err.Error(), testNonce) {
				t.Errorf("error leaks token material: %q", err)
			}
		})
	}
}

func TestVerifyRejectsNilKeySet(t *testing.T) {
	token := makeToken(hdr("RS256", "rsa1"), baseClaims(), signRS256)
	if _, err := Verify(token, nil, baseOptions()); err == nil || !strings.Contains(err.Error(), "no key set") {
		t.Fatalf("err = %v", err)
	}
}

func TestUnverifiedClaims(t *testing.T) {
	forged := makeToken(hdr("none", ""), with(baseClaims(), map[string]any{"exp": 1.5}), unsigned)
	claims, err := UnverifiedClaims(forged)
	if err != nil {
		t.Fatal(err)
	}
	if claims["sub"] != "user-1" || claims["exp"].(interface{ String() string }).String() != "1.5" {
		t.Errorf("claims = %v", claims)
	}
	if _, err := UnverifiedClaims("a.b"); err == nil {
		t.Error("two-part token accepted")
	}
	if _, err := UnverifiedClaims("e30.bm90IGpzb24.sig"); err == nil || !strings.Contains(err.Error(), "payload is not a JSON object") {
		t.Errorf("non-JSON payload: err = %v", err)
	}
}
