package dexop_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/internal/dexop"
)

// runDexbrowser runs cmd/dexbrowser (built here) on target like a CLI's
// BROWSER would.
func runDexbrowser(t *testing.T, bin, target string, env ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 40*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, target)
	cmd.Env = append(os.Environ(), env...)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	return buf.String(), err
}

func TestDexbrowser(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "dexbrowser")
	start := time.Now()
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/dexbrowser").CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/dexbrowser: %v\n%s", err, out)
	}
	t.Logf("built dexbrowser in %s", time.Since(start).Round(time.Millisecond))
	op := dexop.StartT(t, dexop.Options{})

	// The code flow: the redirect_uri is reached with a code.
	redirectURI := newRedirect(t, "localhost")
	c := startStandInFor(t, redirectURI)
	_, challenge := pkce()
	authURL := op.AuthorizationURL(dexop.NativeClientID, redirectURI, "st-dex", challenge, "openid")
	logPath := filepath.Join(t.TempDir(), "urls.log")
	if out, err := runDexbrowser(t, bin, authURL, "DEXBROWSER_LOG="+logPath); err != nil {
		t.Fatalf("dexbrowser: %v\n%s", err, out)
	}
	if got := c.received(); len(got) != 1 || got[0].Get("code") == "" || got[0].Get("state") != "st-dex" {
		t.Fatalf("callbacks = %v, want one with a code and state=st-dex", got)
	}
	if b, err := os.ReadFile(logPath); err != nil || string(b) != authURL+"\n" {
		t.Errorf("DEXBROWSER_LOG = %q, %v; want the URL", b, err)
	}

	// The device flow, given verification_uri_complete.
	status, da := postForm(t, op, dexop.PathDeviceCode, url.Values{"client_id": {dexop.NativeClientID}}, "", "")
	if status != http.StatusOK {
		t.Fatalf("device/code: HTTP %d %v", status, da)
	}
	if out, err := runDexbrowser(t, bin, da["verification_uri_complete"].(string)); err != nil {
		t.Fatalf("dexbrowser on the device page: %v\n%s", err, out)
	}
	if status, tok := poll(t, op, da["device_code"].(string)); status != http.StatusOK || tok["id_token"] == nil {
		t.Errorf("poll after dexbrowser approved: HTTP %d %v", status, tok)
	}

	// Failures: exit 1 with Dex's message.
	out, err := runDexbrowser(t, bin, op.AuthorizationURL("nobody", redirectURI, "s", "", "openid"))
	if err == nil || !strings.Contains(out, "Invalid client_id.") {
		t.Errorf("unknown client: err %v, output %q", err, out)
	}
	out, err = runDexbrowser(t, bin, da["verification_uri"].(string))
	if err == nil || !strings.Contains(out, "no user code") {
		t.Errorf("device page without a user code: err %v, output %q", err, out)
	}
}
