package sigverify

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// wycheproofFiles maps each signature file of the shared Wycheproof copy
// (its README lists them) to the JWS alg its cases are checked as.
var wycheproofFiles = map[string]string{
	"rsa_signature_2048_sha256_test.json":    "RS256",
	"rsa_signature_2048_sha384_test.json":    "RS384",
	"rsa_signature_2048_sha512_test.json":    "RS512",
	"rsa_signature_4096_sha256_test.json":    "RS256",
	"rsa_pss_2048_sha256_mgf1_32_test.json":  "PS256",
	"rsa_pss_2048_sha384_mgf1_48_test.json":  "PS384",
	"rsa_pss_4096_sha512_mgf1_64_test.json":  "PS512",
	"ecdsa_secp256r1_sha256_p1363_test.json": "ES256",
	"ecdsa_secp384r1_sha384_p1363_test.json": "ES384",
	"ecdsa_secp521r1_sha512_p1363_test.json": "ES512",
	"ed25519_test.json":                      "EdDSA",
	"json_web_signature_test.json":           "", // whole JWS documents: not one signature each
	"json_web_key_test.json":                 "", // whole JWK sets, likewise
}

type wycheproofFile struct {
	Schema     string            `json:"schema"`
	TestGroups []wycheproofGroup `json:"testGroups"`
}

// wycheproofGroup is one key and its cases.
type wycheproofGroup struct {
	PublicKeyJwk *wycheproofJWK `json:"publicKeyJwk"` // EC, Ed25519, RSA-PSS
	KeyJwk       *wycheproofJWK `json:"keyJwk"`       // RSA PKCS #1 v1.5
	PublicKey    struct {
		Wx string `json:"wx"` // hex, for the EC groups without a JWK
		Wy string `json:"wy"`
	} `json:"publicKey"`
	Tests []struct {
		TcID    int      `json:"tcId"`
		Comment string   `json:"comment"`
		Msg     string   `json:"msg"`
		Sig     string   `json:"sig"`
		Result  string   `json:"result"`
		Flags   []string `json:"flags"`
	} `json:"tests"`
}

type wycheproofJWK struct {
	Alg string `json:"alg"`
	api.PublicJWK
}

// wycheproofDir finds the vectors where CI puts them, beside the project:
// <module root>/../shared/testdata/wycheproof.
func wycheproofDir(t *testing.T) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
	vectors := filepath.Join(filepath.Dir(dir), "shared", "testdata", "wycheproof")
	if _, err := os.Stat(vectors); err != nil {
		msg := "the Wycheproof signature vectors are missing: " + vectors + " does not exist. " +
			"Put a copy of shared/testdata/wycheproof beside the repository to run them."
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true: failing instead of skipping)")
		}
		t.Skip("SKIPPING: " + msg)
	}
	return vectors
}

// Every Wycheproof case for the algorithms an ID token may use: each
// "valid" signature verifies, each "invalid" one is refused (valid false
// or a bad_input error for its key), and "acceptable" ones, which
// implementations may decide either way, run without a panic or any
// other failure.
func TestWycheproof(t *testing.T) {
	dir := wycheproofDir(t)
	onDisk, err := filepath.Glob(filepath.Join(dir, "*_test.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range onDisk {
		if _, ok := wycheproofFiles[filepath.Base(path)]; !ok {
			t.Errorf("%s is not in this test's list: add it with its alg", filepath.Base(path))
		}
	}
	var passed, failed, acceptable, accepted, rejected int
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for name, alg := range wycheproofFiles {
			if alg != "" && !yield(name) {
				return
			}
		}
	}) {
		alg := wycheproofFiles[name]
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: %v (the README lists it)", name, err)
			failed++
			continue
		}
		var f wycheproofFile
		if err := json.Unmarshal(raw, &f); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		cases, refusedKeys := 0, 0
		for gi, g := range f.TestGroups {
			jwk := groupKey(t, fmt.Sprintf("%s group %d", name, gi), alg, g)
			for _, tc := range g.Tests {
				cases++
				req := api.VerifySignatureRequest{Alg: alg, JWK: jwk,
					Message: b64.EncodeToString(mustHex(t, tc.Msg)), Signature: b64.EncodeToString(mustHex(t, tc.Sig))}
				valid, verr, panicked := verifyRecovering(req)
				where := fmt.Sprintf("%s tcId %d (%s; %s)", name, tc.TcID, tc.Comment, strings.Join(tc.Flags, ","))
				switch {
				case panicked != nil:
					t.Errorf("%s: panic: %v", where, panicked)
					failed++
				case tc.Result == "valid" && (!valid || verr != nil):
					t.Errorf("%s: a valid signature was refused (valid %v, error %v)", where, valid, verr)
					failed++
				case tc.Result == "invalid" && valid:
					t.Errorf("%s: an invalid signature was accepted", where)
					failed++
				case tc.Result == "invalid" && verr != nil:
					refusedKeys++ // refused as bad_input: the key itself is unusable
					passed++
				case tc.Result == "acceptable":
					acceptable++
					if valid {
						accepted++
					} else {
						rejected++
					}
					passed++
				case tc.Result != "valid" && tc.Result != "invalid":
					t.Errorf("%s: unknown result %q", where, tc.Result)
					failed++
				default:
					passed++
				}
			}
		}
		t.Logf("%s (%s, %s): %d cases, %d refused for their key (bad_input)", name, alg, f.Schema, cases, refusedKeys)
	}
	t.Logf("wycheproof: %d passed, %d failed (%d acceptable: %d accepted, %d rejected)",
		passed, failed, acceptable, accepted, rejected)
	if passed == 0 {
		t.Fatal("no Wycheproof case ran")
	}
}

func verifyRecovering(req api.VerifySignatureRequest) (valid bool, err error, panicked any) {
	defer func() { panicked = recover() }()
	valid, err = Verify(req)
	return valid, err, nil
}

// groupKey is the group's public key as the JWK a plugin would send: only
// the members that define the key. A few EC groups give the point in hex
// only; their coordinates are written at the curve's size.
func groupKey(t *testing.T, where, alg string, g wycheproofGroup) api.PublicJWK {
	t.Helper()
	for _, k := range []*wycheproofJWK{g.PublicKeyJwk, g.KeyJwk} {
		if k == nil {
			continue
		}
		if k.Alg != "" && k.Alg != alg {
			t.Fatalf("%s: the key is for %s, the test reads it as %s", where, k.Alg, alg)
		}
		return k.PublicJWK
	}
	if g.PublicKey.Wx == "" {
		t.Fatalf("%s has no public key this test can read", where)
	}
	crv := algorithms[alg].crv
	size := (curves[crv].Params().BitSize + 7) / 8
	return api.PublicJWK{Kty: "EC", Crv: crv,
		X: b64.EncodeToString(fixedSize(t, mustHex(t, g.PublicKey.Wx), size)),
		Y: b64.EncodeToString(fixedSize(t, mustHex(t, g.PublicKey.Wy), size))}
}

// fixedSize writes a big-endian integer in exactly size bytes.
func fixedSize(t *testing.T, b []byte, size int) []byte {
	for len(b) > size && b[0] == 0 {
		b = b[1:]
	}
	if len(b) > size {
		t.Fatalf("coordinate of %d bytes for a curve of %d", len(b), size)
	}
	return append(make([]byte, size-len(b)), b...)
}

func mustHex(t *testing.T, s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
