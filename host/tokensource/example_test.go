package tokensource_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/wasmlogin/wasmlogin/host/cli"
	"github.com/wasmlogin/wasmlogin/host/secretstore"
	"github.com/wasmlogin/wasmlogin/host/tokensource"
	"github.com/wasmlogin/wasmlogin/internal/testop"
	"github.com/wasmlogin/wasmlogin/internal/testop/autologin"
)

// Call an API with the token of a profile that `host login` created.
func Example() {
	op, configDir, store := signedIn() // a test provider and a login, as in the README demo
	defer op.Close()
	defer os.RemoveAll(configDir)

	ctx := context.Background()
	src, err := tokensource.New(ctx, tokensource.Options{Profile: "example", ConfigDir: configDir, Store: store})
	if err != nil {
		log.Fatal(err)
	}
	defer src.Close()

	resp, err := src.Client(ctx).Get(op.URL(testop.PathUserinfo))
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	fmt.Println(resp.Status)
	// Output: 200 OK
}

// signedIn starts the test provider and signs in with the CLI, the browser
// step played by an automatic user.
func signedIn() (*testop.OP, string, secretstore.Store) {
	dir, _ := os.MkdirTemp("", "tokensource-example-")
	store := secretstore.Memory()
	return signIn(testop.Options{}, dir, store), dir, store
}

// signIn starts a provider with opts and signs in to it as profile
// "example", with the profile index in dir and the tokens in store.
func signIn(opts testop.Options, dir string, store secretstore.Store) *testop.OP {
	op, err := testop.Start(opts)
	if err != nil {
		log.Fatal(err)
	}
	env := cli.Env{Stdin: os.Stdin, Stdout: io.Discard, Stderr: io.Discard, Store: store,
		Getenv: func(k string) string {
			if k == "WASMLOGIN_CONFIG_DIR" {
				return dir
			}
			return os.Getenv(k)
		},
		OpenBrowser: func(url string) error {
			go autologin.Follow(context.Background(), url, op.Username, op.Password)
			return nil
		}}
	args := []string{"login", "--issuer", op.Issuer, "--client-id", testop.NativeClientID,
		"--scopes", "openid offline_access", "--profile", "example"}
	if code := cli.Main(context.Background(), args, env); code != 0 {
		log.Fatalf("login exited %d", code)
	}
	return op
}
