package main

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
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

// gitServer is git's own http-backend serving one repository, behind a
// check that the request carries a token the provider accepts, as HTTP
// Basic (oauth2:token) or Bearer. sawAuth counts requests that carried any
// Authorization at all, so a test can prove a server never got the token.
type gitServer struct {
	*httptest.Server
	sawAuth atomic.Int32
}

func startGitServer(t *testing.T, op *testop.OP, root string, tls bool) *gitServer {
	t.Helper()
	backend := &cgi.Handler{Path: "/usr/lib/git-core/git-http-backend",
		Env: []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"}}
	gs := &gitServer{}
	h := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			gs.sawAuth.Add(1)
		}
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			var user string
			user, token, ok = r.BasicAuth()
			ok = ok && user == "oauth2"
		}
		if !ok || !accepted(t, op, token) {
			rw.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(rw, "token required", http.StatusUnauthorized)
			return
		}
		backend.ServeHTTP(rw, r)
	})
	if tls {
		gs.Server = httptest.NewTLSServer(h)
	} else {
		gs.Server = httptest.NewServer(h)
	}
	t.Cleanup(gs.Close)
	return gs
}

// seedRepo makes root/repo.git with one commit on main.
func seedRepo(t *testing.T, root string) {
	t.Helper()
	gitRun(t, root, "init", "-q", "--bare", "repo.git")
	work := filepath.Join(root, "work")
	gitRun(t, root, "init", "-q", "work")
	os.WriteFile(filepath.Join(work, "hello.txt"), []byte("signed in\n"), 0o644)
	gitRun(t, work, "add", "hello.txt")
	gitRun(t, work, "-c", "user.name=t", "-c", "user.email=t@example", "commit", "-qm", "seed")
	gitRun(t, work, "push", "-q", filepath.Join(root, "repo.git"), "HEAD:refs/heads/main")
}

// git clone over HTTPS gets the token from git-credential, through git's
// real helper protocol, for the git host named at login and for no other:
// not over plain http, not for another host, so a repository whose remote
// names some other server never receives the token.
func TestGitCredentialHelperClones(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.autobrowser)
	root := t.TempDir()
	seedRepo(t, root)
	served := startGitServer(t, op, root, true)
	otherHost := startGitServer(t, op, root, true)
	plainHTTP := startGitServer(t, op, root, false)
	w.login("--git-host", strings.TrimPrefix(served.URL, "https://"))

	// git trusts the test servers' certificate (one for all httptest TLS servers).
	ca := filepath.Join(root, "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: served.Certificate().Raw}), 0o644)
	clone := func(url, dir string) ([]byte, error) {
		cmd := exec.Command("git", "-c", "credential.helper=", "-c", "credential.helper=!"+bins.host+" git-credential",
			"clone", "-q", "-b", "main", url+"/repo.git", filepath.Join(root, dir))
		cmd.Env = append(w.env, "GIT_TERMINAL_PROMPT=0", "GIT_SSL_CAINFO="+ca, "GIT_ASKPASS=", "SSH_ASKPASS=")
		return cmd.CombinedOutput()
	}

	if out, err := clone(served.URL, "clone"); err != nil {
		t.Fatalf("git clone with the credential helper: %v\n%s", err, out)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "clone", "hello.txt")); string(b) != "signed in\n" {
		t.Fatalf("cloned content %q", b)
	}

	out, err := clone(plainHTTP.URL, "over-http")
	if err == nil || plainHTTP.sawAuth.Load() != 0 || !strings.Contains(string(out), "the token goes only over https") {
		t.Fatalf("plain http: err %v, %d requests with credentials\n%s", err, plainHTTP.sawAuth.Load(), out)
	}
	out, err = clone(otherHost.URL, "other-host")
	if err == nil || otherHost.sawAuth.Load() != 0 || !strings.Contains(string(out), "--git-host") {
		t.Fatalf("another host: err %v, %d requests with credentials\n%s", err, otherHost.sawAuth.Load(), out)
	}
}

// The helper's answer, line by line, to requests in git's format
// (git-credential(1)): Git 2.46+ announces capability[]=authtype and gets
// a Bearer credential when the server offers Bearer; older git, or a server
// that challenges only with Basic, gets the token as the password; both
// carry password_expiry_utc. A profile without --git-host answers for its
// issuer's host only.
func TestGitCredentialProtocol(t *testing.T) {
	op := testop.StartT(t, testop.Options{})
	w := newWorld(t, op, bins.autobrowser)
	w.login("--profile", "git", "--git-host", "git.example:8443,Code.Example")
	w.login("--profile", "plain")
	issuerHost := strings.TrimPrefix(op.Issuer, "http://")

	ask := func(profile, request string) (map[string][]string, []string) {
		t.Helper()
		cmd := exec.Command(bins.host, "git-credential", "--profile", profile, "get")
		cmd.Env = w.env
		cmd.Stdin = strings.NewReader(request)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("git-credential: %v\n%s", err, stderr.String())
		}
		attrs := map[string][]string{}
		var order []string
		for _, line := range strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n") {
			if line == "" {
				continue
			}
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Fatalf("not a key=value line: %q", line)
			}
			attrs[k] = append(attrs[k], v)
			order = append(order, k)
		}
		return attrs, order
	}
	expiryOK := func(attrs map[string][]string) {
		t.Helper()
		if len(attrs["password_expiry_utc"]) != 1 {
			t.Fatalf("password_expiry_utc: %v", attrs)
		}
		if exp, err := strconv.ParseInt(attrs["password_expiry_utc"][0], 10, 64); err != nil || exp <= time.Now().Unix() {
			t.Fatalf("password_expiry_utc %q", attrs["password_expiry_utc"][0])
		}
	}

	// Git 2.46+ against a server offering Bearer.
	attrs, order := ask("git", "capability[]=authtype\ncapability[]=state\nprotocol=https\nhost=git.example:8443\n"+
		"wwwauth[]=Bearer realm=\"git\"\nwwwauth[]=Basic realm=\"git\"\n\n")
	if len(order) == 0 || order[0] != "capability[]" || attrs["capability[]"][0] != "authtype" || attrs["authtype"][0] != "Bearer" ||
		attrs["ephemeral"][0] != "true" || attrs["password"] != nil || !accepted(t, op, attrs["credential"][0]) {
		t.Fatalf("Bearer answer: %v (order %v)", attrs, order)
	}
	expiryOK(attrs)

	// Git 2.46+ against a server offering only Basic; and older git, which
	// knows no capability: the token as the password, nothing gated.
	for _, req := range []string{
		"capability[]=authtype\nprotocol=https\nhost=code.example\nwwwauth[]=Basic realm=\"git\"\n\n",
		"protocol=https\nhost=CODE.example\npath=group/repo.git\n\n",
	} {
		attrs, _ = ask("git", req)
		if attrs["username"][0] != "oauth2" || !accepted(t, op, attrs["password"][0]) || attrs["authtype"] != nil ||
			attrs["credential"] != nil || attrs["capability[]"] != nil {
			t.Fatalf("Basic answer to %q: %v", req, attrs)
		}
		expiryOK(attrs)
	}

	// Nothing for plain http, another host, or the issuer's host once
	// --git-host named others; the issuer's host by default.
	for _, c := range []struct{ profile, req string }{
		{"git", "protocol=http\nhost=git.example:8443\n\n"},
		{"git", "protocol=https\nhost=git.example\n\n"},
		{"git", "protocol=https\nhost=evil.example\n\n"},
		{"git", "protocol=https\nhost=" + issuerHost + "\n\n"},
		{"plain", "protocol=http\nhost=" + issuerHost + "\n\n"},
		{"plain", "protocol=https\nhost=git.example:8443\n\n"},
	} {
		if attrs, _ := ask(c.profile, c.req); len(attrs) != 0 {
			t.Errorf("profile %s answered %q with %v", c.profile, c.req, attrs)
		}
	}
	if attrs, _ := ask("plain", "protocol=https\nhost="+issuerHost+"\n\n"); !accepted(t, op, attrs["password"][0]) {
		t.Fatalf("default git host: %v", attrs)
	}

	// A bad --git-host is a usage error that says what to give.
	if r := w.run("login", "--issuer", op.Issuer, "--client-id", testop.NativeClientID, "--git-host", "https://git.example/x"); r.code != 2 ||
		!strings.Contains(r.stderr, "give a host name with an optional port") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
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
