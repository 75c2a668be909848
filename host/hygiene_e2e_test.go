package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmlogin/wasmlogin/internal/testop"
)

// Everything the tool writes during a sign-in, a refresh, a token exchange
// and a logout, with
// --verbose HTTP traces on, is captured: stdout and stderr of every command
// and every file under its configuration and cache directories. No access
// token, refresh token, ID token, client secret, PKCE verifier or
// authorization code may appear anywhere except the output of `token`,
// which the user asked for.
func TestNoSecretLeaks(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.autobrowser)
	cache := filepath.Join(t.TempDir(), "cache")
	w.env = append(w.env, "WASMLOGIN_VERBOSE=1", "WASMLOGIN_CACHE_DIR="+cache, "APP_SECRET="+testop.WebClientSecret)

	var captured strings.Builder
	keep := func(r result) { captured.WriteString(r.stdout + r.stderr) }
	secrets := map[string]string{"client secret": testop.WebClientSecret}
	record := func() {
		rec := w.stored("web")
		tok := rec["token"].(map[string]any)
		for _, k := range []string{"access_token", "refresh_token", "id_token"} {
			if v, _ := tok[k].(string); v != "" {
				secrets[k+" "+v[:8]] = v
			}
		}
	}

	keep(w.must("login", "--issuer", op.Issuer, "--client-id", testop.WebClientID, "--client-secret-env", "APP_SECRET",
		"--scopes", "openid profile offline_access", "--profile", "web"))
	record()
	tokenOut := w.must("token", "--profile", "web") // the one place a token may appear
	captured.WriteString(tokenOut.stderr)
	refreshed := w.must("token", "--profile", "web", "--force-refresh")
	captured.WriteString(refreshed.stderr)
	record()
	exchanged := w.must("exchange", "--profile", "web", "--subject-profile", "web", "--subject-token-type", "id_token", "--requested-token-type", "access_token") // stdout asked for
	captured.WriteString(exchanged.stderr)
	if tok := strings.TrimSpace(exchanged.stdout); tok != "" {
		secrets["exchanged token "+tok[:8]] = tok
	}
	keep(w.must("status", "--profile", "web"))
	keep(w.must("status", "--profile", "web", "--json"))
	keep(w.must("logout", "--profile", "web"))

	for _, form := range op.TokenRequestForms() {
		for _, k := range []string{"code", "code_verifier", "refresh_token"} {
			if v := form.Get(k); v != "" {
				secrets[k+" "+v[:8]] = v
			}
		}
	}
	for _, dir := range []string{w.config, cache} {
		filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				b, _ := os.ReadFile(path)
				captured.WriteString("\n[file " + path + "]\n" + string(b))
			}
			return nil
		})
	}

	all := captured.String()
	if !strings.Contains(all, "> POST "+op.URL(testop.PathToken)) || !strings.Contains(all, "[redacted]") {
		t.Fatal("the verbose trace did not run: this test would prove nothing")
	}
	if len(secrets) < 8 {
		t.Fatalf("only %d secrets collected; the test must know the code, verifier and tokens it looks for", len(secrets))
	}
	for what, s := range secrets {
		if strings.Contains(all, s) {
			t.Errorf("%s leaked into output or files", what)
		}
	}
}
