package tokensource_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"golang.org/x/oauth2"

	"github.com/wasmlogin/wasmlogin/host/tokensource"
	"github.com/wasmlogin/wasmlogin/internal/testop"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// Many goroutines share one Source; at most Instances plugin calls run at
// once and every caller gets the same valid token.
func TestConcurrentTokens(t *testing.T) {
	op, dir, store := signedIn()
	t.Cleanup(func() { op.Close(); os.RemoveAll(dir) })
	src, err := tokensource.New(context.Background(), tokensource.Options{
		Profile: "example", ConfigDir: dir, Store: store, Instances: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var wg sync.WaitGroup
	tokens := make([]string, 16)
	for i := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := src.Token()
			if err != nil {
				t.Error(err)
				return
			}
			tokens[i] = tok.AccessToken
		}()
	}
	wg.Wait()
	for _, tok := range tokens {
		if tok == "" || tok != tokens[0] {
			t.Fatalf("tokens differ or are empty: %q vs %q", tok, tokens[0])
		}
	}
	if n := op.Requests(testop.PathToken); n != 1 {
		t.Fatalf("%d requests reached the token endpoint, want 1 (the login's exchange)", n)
	}
}

// A dead refresh token comes back as both the plugin's advice and the
// server's error code, the way x/oauth2 callers look for it.
func TestErrorsCarryServerCode(t *testing.T) {
	op, dir, store := signedIn()
	t.Cleanup(func() { op.Close(); os.RemoveAll(dir) })
	src, err := tokensource.New(context.Background(), tokensource.Options{Profile: "example", ConfigDir: dir, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	// Expire the stored access token and give it a refresh token the
	// server does not know: the next Token() refreshes and is refused.
	raw, _, _ := store.Get("profile/example")
	var rec map[string]any
	json.Unmarshal([]byte(raw), &rec)
	tok := rec["token"].(map[string]any)
	tok["expires_at"], tok["refresh_token"] = 1, "not-a-refresh-token"
	b, _ := json.Marshal(rec)
	store.Set("profile/example", string(b))

	_, err = src.Token()
	var fe *api.Error
	if !errors.As(err, &fe) || fe.Code != api.CodeLoginRequired || !strings.Contains(fe.Message, "run login again") {
		t.Fatalf("got %v", err)
	}
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
		t.Fatalf("want a RetrieveError with invalid_grant, got %v", err)
	}
}
