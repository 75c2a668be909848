package tokensource_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/wasmlogin/wasmlogin/host/cli"
	"github.com/wasmlogin/wasmlogin/host/engine"
	"github.com/wasmlogin/wasmlogin/host/httpguard"
	"github.com/wasmlogin/wasmlogin/host/secretstore"
	"github.com/wasmlogin/wasmlogin/host/tokensource"
	"github.com/wasmlogin/wasmlogin/internal/testop"
	"github.com/wasmlogin/wasmlogin/internal/testop/autologin"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// Profiles share the user's one secret store, but a plugin instance
// started for alice gets nothing of bob's, who signed in last on the same
// store: not his token asked by name, by default or by provider, not as
// an exchange's subject, not through status, userinfo or an error
// message; and it cannot log him out.
func TestInstanceForOneProfileGetsNothingOfAnother(t *testing.T) {
	op, err := testop.Start(testop.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(op.Close)
	dir := t.TempDir()
	store := secretstore.Memory()
	login(t, op, dir, store, "alice", testop.WebClientID) // confidential: it may exchange tokens
	login(t, op, dir, store, "bob", testop.NativeClientID)
	bobRecord, _, _ := store.Get("profile/bob")
	bobServed, _, _ := store.Get("served/bob")
	bobSecrets := tokensIn(t, bobRecord)

	ctx := context.Background()
	src, err := tokensource.New(ctx, tokensource.Options{Profile: "alice", ConfigDir: dir, Store: store,
		Engine: engine.Options{CacheDir: t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	tok, err := src.Token()
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("alice's own token: %v", err)
	}
	seen := []string{tok.AccessToken}

	// What the Source lends its instances, asked for more than alice.
	guard := httpguard.New(httpguard.Options{})
	guard.Allow(op.Issuer)
	rt, err := engine.New(ctx, engine.Options{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(ctx)
	inst, err := rt.Instance(ctx, &engine.Services{HTTP: guard, Secrets: secretstore.Scoped(store, "alice")})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(ctx)
	bob := api.ProfileRef{Profile: "bob"}
	byProvider := api.ProfileRef{Provider: &api.Provider{Issuer: op.Issuer, ClientID: testop.NativeClientID}}
	attempts := map[string]func() (any, error){
		"token bob":      func() (any, error) { return inst.Token(ctx, api.TokenInput{ProfileRef: bob}) },
		"token default":  func() (any, error) { return inst.Token(ctx, api.TokenInput{}) },
		"token provider": func() (any, error) { return inst.Token(ctx, api.TokenInput{ProfileRef: byProvider}) },
		"refresh bob":    func() (any, error) { return inst.Token(ctx, api.TokenInput{ProfileRef: bob, ForceRefresh: true}) },
		"status bob":     func() (any, error) { return inst.Status(ctx, bob) },
		"userinfo bob":   func() (any, error) { return inst.Userinfo(ctx, bob) },
		"exchange bob": func() (any, error) {
			return inst.TokenExchange(ctx, api.TokenExchangeInput{ProfileRef: api.ProfileRef{Profile: "alice"}, SubjectProfile: "bob"})
		},
		"exchange refresh": func() (any, error) {
			return inst.TokenExchange(ctx, api.TokenExchangeInput{ProfileRef: api.ProfileRef{Profile: "alice"}, SubjectProfile: "bob", SubjectTokenType: "refresh_token"})
		},
		"logout bob": func() (any, error) { return inst.Logout(ctx, bob) },
	}
	for what, call := range attempts {
		out, err := call()
		if err == nil {
			t.Errorf("%s: answered %+v", what, out)
		} else if !strings.Contains(err.Error(), "did not grant this instance profile") {
			t.Errorf("%s: failed, but not for want of a grant: %v", what, err)
		}
		b, _ := json.Marshal(out)
		seen = append(seen, string(b), fmt.Sprint(err))
	}
	for _, text := range seen {
		for _, secret := range bobSecrets {
			if strings.Contains(text, secret) {
				t.Fatalf("bob's token reached an instance granted alice: %.80s", text)
			}
		}
	}
	if v, _, _ := store.Get("profile/bob"); v != bobRecord {
		t.Fatal("bob's record changed")
	}
	if v, _, _ := store.Get("served/bob"); v != bobServed {
		t.Fatal("bob's served token changed")
	}
}

// login signs name in as client through the CLI, the browser step played
// by an automatic user.
func login(t *testing.T, op *testop.OP, dir string, store secretstore.Store, name, client string) {
	t.Helper()
	env := cli.Env{Stdin: os.Stdin, Stdout: io.Discard, Stderr: io.Discard, Store: store,
		Getenv: func(k string) string {
			switch k {
			case "WASMLOGIN_CONFIG_DIR":
				return dir
			case "TEST_CLIENT_SECRET":
				return testop.WebClientSecret
			}
			return os.Getenv(k)
		},
		OpenBrowser: func(url string) error {
			go autologin.Follow(context.Background(), url, op.Username, op.Password)
			return nil
		}}
	args := []string{"login", "--issuer", op.Issuer, "--client-id", client,
		"--scopes", "openid offline_access", "--profile", name}
	if client == testop.WebClientID {
		args = append(args, "--client-secret-env", "TEST_CLIENT_SECRET")
	}
	if code := cli.Main(context.Background(), args, env); code != 0 {
		t.Fatalf("login %s exited %d", name, code)
	}
}

// tokensIn lists the tokens of a stored record.
func tokensIn(t *testing.T, record string) []string {
	t.Helper()
	var rec struct {
		Token map[string]any `json:"token"`
	}
	if err := json.Unmarshal([]byte(record), &rec); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range []string{"access_token", "refresh_token", "id_token"} {
		if s, _ := rec.Token[k].(string); s != "" {
			out = append(out, s)
		}
	}
	if len(out) < 2 {
		t.Fatalf("the record holds %d tokens; the test needs an access and a refresh token", len(out))
	}
	return out
}
