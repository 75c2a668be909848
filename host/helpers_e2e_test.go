package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/internal/testop"
)

// Credential helpers, each through its consumer's real protocol.

// accepted asks the provider whether a token is valid (its userinfo).
func accepted(t *testing.T, op *testop.OP, token string) bool {
	req, _ := http.NewRequest("GET", op.URL(testop.PathUserinfo), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == 200
}

// git clone over HTTPS-style basic auth gets the token from git-credential.
// The server is git's own http-backend behind a check that the password is
// a token the provider accepts.
func TestGitCredentialHelperClones(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.autobrowser)
	w.login()
	root := t.TempDir()
	gitRun(t, root, "init", "-q", "--bare", "repo.git")
	work := filepath.Join(root, "work")
	gitRun(t, root, "init", "-q", "work")
	os.WriteFile(filepath.Join(work, "hello.txt"), []byte("signed in\n"), 0o644)
	gitRun(t, work, "add", "hello.txt")
	gitRun(t, work, "-c", "user.name=t", "-c", "user.email=t@example", "commit", "-qm", "seed")
	gitRun(t, work, "push", "-q", filepath.Join(root, "repo.git"), "HEAD:refs/heads/main")

	backend := &cgi.Handler{Path: "/usr/lib/git-core/git-http-backend",
		Env: []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"}}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user != "oauth2" || !accepted(t, op, pass) {
			rw.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(rw, "token required", http.StatusUnauthorized)
			return
		}
		backend.ServeHTTP(rw, r)
	}))
	defer srv.Close()

	clone := exec.Command("git", "-c", "credential.helper=", "-c", "credential.helper=!"+bins.host+" git-credential",
		"clone", "-q", "-b", "main", srv.URL+"/repo.git", filepath.Join(root, "clone"))
	clone.Env = append(w.env, "GIT_TERMINAL_PROMPT=0")
	if out, err := clone.CombinedOutput(); err != nil {
		t.Fatalf("git clone with the credential helper: %v\n%s", err, out)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "clone", "hello.txt")); string(b) != "signed in\n" {
		t.Fatalf("cloned content %q", b)
	}
}

func gitRun(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// kubectlConsumer reads an exec credential plugin's output the way
// client-go's exec authenticator does for client.authentication.k8s.io/v1:
// strict decoding, apiVersion and kind checked, RFC 3339 expiry.
type kubectlExecCredential struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Spec       *struct {
		Interactive bool `json:"interactive"`
	} `json:"spec,omitempty"`
	Status *struct {
		ExpirationTimestamp   *time.Time `json:"expirationTimestamp,omitempty"`
		Token                 string     `json:"token,omitempty"`
		ClientCertificateData string     `json:"clientCertificateData,omitempty"`
		ClientKeyData         string     `json:"clientKeyData,omitempty"`
	} `json:"status,omitempty"`
}

func TestKubectlExecCredential(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.autobrowser)
	w.login()
	w.env = append(w.env, `KUBERNETES_EXEC_INFO={"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}`)
	out := w.must("kubectl-credential").stdout
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	var cred kubectlExecCredential
	if err := dec.Decode(&cred); err != nil {
		t.Fatalf("not an ExecCredential: %v\n%s", err, out)
	}
	switch {
	case cred.APIVersion != "client.authentication.k8s.io/v1" || cred.Kind != "ExecCredential":
		t.Fatalf("apiVersion/kind: %s %s", cred.APIVersion, cred.Kind)
	case cred.Status == nil || cred.Status.Token == "":
		t.Fatal("no token in status")
	case cred.Status.ExpirationTimestamp == nil || !cred.Status.ExpirationTimestamp.After(time.Now()):
		t.Fatalf("expirationTimestamp missing or past: %v", cred.Status.ExpirationTimestamp)
	case !accepted(t, op, cred.Status.Token):
		t.Fatal("the provider does not accept the token")
	}
}

func TestExecPassesTokenInEnvironment(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.autobrowser)
	w.login()
	r := w.must("exec", "--", "sh", "-c", `curl -sf -H "Authorization: Bearer $ACCESS_TOKEN" "$0"`, op.URL(testop.PathUserinfo))
	if !strings.Contains(r.stdout, `"sub":"id1"`) {
		t.Fatalf("userinfo through exec: %q %q", r.stdout, r.stderr)
	}
	if r := w.run("exec", "--", "sh", "-c", "exit 7"); r.code != 7 {
		t.Fatalf("exec must pass the command's status through, got %d", r.code)
	}
}

func TestTokenHeaderForCurl(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.autobrowser)
	w.login()
	hdr := w.must("token", "--header").stdout
	if !strings.HasPrefix(hdr, "Authorization: Bearer ") {
		t.Fatalf("header line %q", hdr)
	}
	curl := exec.Command("curl", "-sf", "-H", "@-", op.URL(testop.PathUserinfo))
	curl.Stdin = strings.NewReader(hdr)
	var out bytes.Buffer
	curl.Stdout = &out
	if err := curl.Run(); err != nil || !strings.Contains(out.String(), `"sub":"id1"`) {
		t.Fatalf("curl -H @-: %v %q", err, out.String())
	}
}
