package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wasmlogin/wasmlogin/internal/testop"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// While the published token is servable, token answers from the store
// alone: the plugin is not even compiled (an empty cache stays empty). The
// host decides nothing itself: a served entry past its deadline, or one
// naming another profile, sends it to the plugin.
func TestTokenServedWithoutLoadingPlugin(t *testing.T) {
	op := testop.StartT(t, testop.Options{AccessTokenLifetime: time.Hour})
	w := newWorld(t, op, bins.autobrowser)
	w.login()
	var s api.Session
	decode(t, w.must("status", "--json").stdout, &s)
	record := w.stored(s.Profile)
	want := record["token"].(map[string]any)["access_token"].(string)

	emptyCache := filepath.Join(t.TempDir(), "cache")
	w.env = append(w.env, "WASMLOGIN_CACHE_DIR="+emptyCache, "WASMLOGIN_TIMING=1")
	r := w.must("token")
	if strings.TrimSpace(r.stdout) != want {
		t.Fatalf("served token %q, want the stored access token", r.stdout)
	}
	if !strings.Contains(r.stderr, "served token") || strings.Contains(r.stderr, "load plugin") {
		t.Fatalf("token did not take the served path:\n%s", r.stderr)
	}
	if entries, _ := os.ReadDir(emptyCache); len(entries) != 0 {
		t.Fatalf("the plugin was compiled for a servable token: cache holds %d entries", len(entries))
	}
	var cred struct{ Status struct{ Token string } }
	decode(t, w.must("kubectl-credential").stdout, &cred)
	if cred.Status.Token != want {
		t.Fatal("kubectl-credential did not serve the stored token")
	}

	raw, found, err := w.store().Get(api.ServedKey(s.Profile))
	if err != nil || !found {
		t.Fatalf("no served entry after login: found=%v err=%v", found, err)
	}
	if rt := refreshTokenOf(record); rt == "" || strings.Contains(raw, rt) {
		t.Fatal("the served entry must exist without the refresh token")
	}

	// Entries the host must not serve: the plugin answers instead, with
	// the record's token.
	for name, bad := range map[string]api.ServedToken{
		"past deadline": {Profile: s.Profile, AccessToken: "stale", TokenType: "Bearer", ServeUntil: time.Now().Unix() - 1},
		"other profile": {Profile: "someone-else", AccessToken: "stale", TokenType: "Bearer", ServeUntil: time.Now().Add(time.Hour).Unix()},
	} {
		b, _ := json.Marshal(bad)
		if err := w.store().Set(api.ServedKey(s.Profile), string(b)); err != nil {
			t.Fatal(err)
		}
		r := w.must("token")
		if strings.TrimSpace(r.stdout) != want || !strings.Contains(r.stderr, "load plugin") {
			t.Fatalf("%s: got %q; the plugin should have served the record's token:\n%s", name, r.stdout, r.stderr)
		}
	}

	w.must("logout")
	if _, found, err := w.store().Get(api.ServedKey(s.Profile)); err != nil || found {
		t.Fatalf("logout left the served entry: found=%v err=%v", found, err)
	}
}
