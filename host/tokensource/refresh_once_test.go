package tokensource_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/host/secretstore"
	"github.com/wasmlogin/wasmlogin/host/tokensource"
	"github.com/wasmlogin/wasmlogin/internal/testop"
)

// The provider here is zitadel/oidc's, which rotates refresh tokens and
// answers a rotated one with invalid_grant. Each test signs in while access
// tokens last 10 s, inside the plugin's 30 s margin, so every caller finds
// the token due for refresh; tokens issued afterwards last an hour, so a
// caller that gets the profile lock after the refresh finds a fresh token.
// Without the lock every caller refreshes with the same refresh token, the
// server accepts the first and refuses the rest ("run login again").

const dueForRefresh = 10 * time.Second

// Eight goroutines ask one Source for the token of an expired profile:
// exactly one refresh reaches the server and all eight get its token.
func TestExpiredTokenRefreshedOnce(t *testing.T) {
	store := secretstore.Memory()
	dir := t.TempDir()
	op := signedInDue(t, dir, store)
	src := newSource(t, dir, store, 8)
	before := op.GrantRequests("refresh_token")

	tokens := concurrently(t, 8, func(int) (string, error) { return accessToken(src) })
	assertRefreshedOnce(t, op, before, tokens)
}

// Two Sources of one program, each with its own plugin instances, share the
// profile: between them, one refresh.
func TestTwoSourcesRefreshOnce(t *testing.T) {
	store := secretstore.Memory()
	dir := t.TempDir()
	op := signedInDue(t, dir, store)
	sources := []*tokensource.Source{newSource(t, dir, store, 4), newSource(t, dir, store, 4)}
	before := op.GrantRequests("refresh_token")

	tokens := concurrently(t, 8, func(i int) (string, error) { return accessToken(sources[i%2]) })
	assertRefreshedOnce(t, op, before, tokens)
}

// Sources in three other processes and one in this process, on one
// encrypted file store: one refresh among the four processes. The children
// load the plugin first and start asking together, so without the lock
// their refreshes would overlap.
func TestSourcesInProcessesRefreshOnce(t *testing.T) {
	dir := t.TempDir()
	store, err := secretstore.EncryptedFile(filepath.Join(dir, "secrets.enc"), []byte(childPassphrase))
	if err != nil {
		t.Fatal(err)
	}
	op := signedInDue(t, dir, store)
	src := newSource(t, dir, store, 2)
	before := op.GrantRequests("refresh_token")

	children := make([]*child, 3)
	for i := range children {
		children[i] = startChild(t, dir)
	}
	for _, c := range children {
		c.ready()
	}
	tokens := concurrently(t, len(children)+1, func(i int) (string, error) {
		if i == len(children) {
			return accessToken(src)
		}
		return children[i].token()
	})
	assertRefreshedOnce(t, op, before, tokens)
}

// signedInDue signs in as profile "example" with an access token already
// due for refresh, then makes the provider issue hour-long tokens.
func signedInDue(t *testing.T, dir string, store secretstore.Store) *testop.OP {
	t.Helper()
	op := signIn(testop.Options{AccessTokenLifetime: dueForRefresh}, dir, store)
	t.Cleanup(op.Close)
	op.Storage.SetAccessTokenLifetime(time.Hour)
	return op
}

func newSource(t *testing.T, dir string, store secretstore.Store, instances int) *tokensource.Source {
	t.Helper()
	src, err := tokensource.New(context.Background(), tokensource.Options{
		Profile: "example", ConfigDir: dir, Store: store, Instances: instances})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	return src
}

func accessToken(src *tokensource.Source) (string, error) {
	tok, err := src.Token()
	if err != nil {
		return "", err
	}
	return tok.AccessToken, nil
}

// concurrently runs n calls at once and returns their tokens; any failure
// fails the test.
func concurrently(t *testing.T, n int, call func(i int) (string, error)) []string {
	t.Helper()
	tokens := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); tokens[i], errs[i] = call(i) }()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("caller %d: %v", i, err)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	return tokens
}

// assertRefreshedOnce: one refresh since before, every caller got the same
// token, and the provider accepts it.
func assertRefreshedOnce(t *testing.T, op *testop.OP, before int, tokens []string) {
	t.Helper()
	if got := op.GrantRequests("refresh_token") - before; got != 1 {
		t.Errorf("%d refresh requests reached the server, want exactly 1", got)
	}
	for i, tok := range tokens {
		if tok == "" || tok != tokens[0] {
			t.Fatalf("caller %d got another token than caller 0", i)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, op.URL(testop.PathUserinfo), nil)
	req.Header.Set("Authorization", "Bearer "+tokens[0])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the provider answers the token with HTTP %d", resp.StatusCode)
	}
}

// A child process is this test binary run with childEnv set: it opens a
// Source on the profile in that directory, says "ready", waits for a line
// on stdin, prints the token (see TestMain).
type child struct {
	t     *testing.T
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
}

const (
	childEnv        = "TOKENSOURCE_TEST_CHILD_DIR"
	childPassphrase = "tokensource-test"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		os.Exit(runChild(dir))
	}
	os.Exit(m.Run())
}

func runChild(dir string) int {
	store, err := secretstore.EncryptedFile(filepath.Join(dir, "secrets.enc"), []byte(childPassphrase))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	src, err := tokensource.New(context.Background(), tokensource.Options{Profile: "example", ConfigDir: dir, Store: store})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer src.Close()
	fmt.Println("ready")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		return 1
	}
	tok, err := src.Token()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(tok.AccessToken)
	return 0
}

func startChild(t *testing.T, dir string) *child {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	cmd.Stderr = &strings.Builder{}
	c := &child{t: t, cmd: cmd}
	if c.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.out = bufio.NewReader(stdout)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.stdin.Close(); cmd.Process.Kill(); cmd.Wait() })
	return c
}

// ready waits until the child has loaded the plugin.
func (c *child) ready() {
	c.t.Helper()
	if line, err := c.out.ReadString('\n'); line != "ready\n" {
		c.t.Fatalf("child: %q %v; stderr: %s", line, err, c.cmd.Stderr)
	}
}

// token lets the child ask for the token and returns it.
func (c *child) token() (string, error) {
	if _, err := io.WriteString(c.stdin, "go\n"); err != nil {
		return "", err
	}
	line, err := c.out.ReadString('\n')
	if err != nil {
		c.cmd.Wait()
		return "", fmt.Errorf("child: %v; stderr: %s", err, c.cmd.Stderr)
	}
	return strings.TrimSpace(line), nil
}
