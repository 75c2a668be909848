// Command demo is the main job on a fresh machine: it starts a real OpenID
// provider (zitadel/oidc's example server) inside this process on
// 127.0.0.1, then runs the reference host's login, token, status and logout
// against it with the real flow plugin. No account, configuration or
// network is needed.
//
// The browser step is played by an automatic user that logs in over HTTP;
// pass -browser to do it yourself in your own browser instead.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/wasmlogin/wasmlogin/host/cli"
	"github.com/wasmlogin/wasmlogin/host/secretstore"
	"github.com/wasmlogin/wasmlogin/internal/testop"
	"github.com/wasmlogin/wasmlogin/internal/testop/autologin"
)

func main() {
	realBrowser := flag.Bool("browser", false, "open your own browser and type the printed credentials yourself")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *realBrowser); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, realBrowser bool) error {
	op, err := testop.Start(testop.Options{})
	if err != nil {
		return err
	}
	defer op.Close()
	say("Started a local OpenID provider at %s (in this process).", op.Issuer)

	configDir, err := os.MkdirTemp("", "wasmlogin-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(configDir)
	env := cli.Std()
	env.Getenv = func(k string) string {
		if k == "WASMLOGIN_CONFIG_DIR" {
			return configDir // keep the demo's profile out of yours
		}
		return os.Getenv(k)
	}
	env.Store = demoStore()
	if realBrowser {
		say("Log in as %s with password %s.", op.Username, op.Password)
	} else {
		env.OpenBrowser = func(url string) error {
			say("(an automatic user follows the URL and logs in as %s)", op.Username)
			go autologin.Follow(ctx, url, op.Username, op.Password)
			return nil
		}
	}

	steps := [][]string{
		{"login", "--issuer", op.Issuer, "--client-id", testop.NativeClientID,
			"--scopes", "openid profile email offline_access", "--profile", "demo", "--timeout", "2m"},
		{"status", "--profile", "demo"},
		{"token", "--profile", "demo"},
		{"token", "--profile", "demo", "--force-refresh"},
		{"logout", "--profile", "demo"},
	}
	for _, args := range steps {
		say("\n$ wasmlogin %s", join(args))
		if code := cli.Main(ctx, args, env); code != 0 {
			return fmt.Errorf("%s exited with %d", args[0], code)
		}
	}
	say("\nDone: signed in with PKCE, validated the ID token, reused and refreshed the token, signed out.")
	return nil
}

// demoStore uses the OS keyring when one answers, and otherwise memory
// that dies with this process: the demo never writes a secret to disk.
func demoStore() secretstore.Store {
	kr := secretstore.Keyring("wasmlogin-demo")
	probe := fmt.Sprintf("probe-%d", time.Now().UnixNano())
	if err := kr.Set(probe, "x"); err == nil {
		kr.Delete(probe)
		say("Secrets go to the OS keyring (service wasmlogin-demo).")
		return kr
	}
	say("No OS keyring answers here; this run keeps its tokens in memory only.")
	return secretstore.Memory()
}

func say(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }

func join(args []string) string {
	s := ""
	for i, a := range args {
		if i > 0 {
			s += " "
		}
		if a == "" || containsSpace(a) {
			a = "'" + a + "'"
		}
		s += a
	}
	return s
}

func containsSpace(s string) bool {
	for _, r := range s {
		if r == ' ' {
			return true
		}
	}
	return false
}
