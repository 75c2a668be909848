package cli

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/wasmlogin/wasmlogin/host/secretstore"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// servedToken is the fast path of token, kubectl-credential and
// git-credential: the access token the plugin published for the profile
// (api.ServedToken), read without loading the plugin. Loading the sandbox
// costs tens of milliseconds on every kubectl or git call; this costs one
// keyring read. It decides nothing: the plugin wrote the deadline, and a
// missing, unreadable or expired entry returns nil, nil, so the caller asks
// the plugin, which refreshes. Only a store that cannot be reached at all
// is an error here, so a wedged keyring is waited for once, not twice.
func (c *command) servedToken() (*api.TokenResult, error) {
	if c.forceRefresh {
		return nil, nil
	}
	ix, err := c.loadIndex()
	if err != nil {
		return nil, nil
	}
	name, _, err := c.findProfile(ix)
	if err != nil {
		return nil, nil // the plugin path says what is missing
	}
	store, err := c.openStore()
	if err != nil {
		return nil, nil
	}
	raw, found, err := store.Get(api.ServedKey(name))
	switch {
	case errors.Is(err, secretstore.ErrUnavailable):
		return nil, &api.Error{Code: api.CodeStorage, Message: err.Error()}
	case err != nil || !found:
		return nil, nil
	}
	var s api.ServedToken
	if json.Unmarshal([]byte(raw), &s) != nil || !s.Servable(name, time.Now().Unix()) {
		return nil, nil
	}
	c.phase("served token")
	return &api.TokenResult{Profile: name, AccessToken: s.AccessToken, TokenType: s.TokenType, ExpiresAt: s.ExpiresAt}, nil
}
