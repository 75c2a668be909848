package cli

import (
	"testing"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// Every shape of logout's one line; the end-to-end tests run the common
// ones against real servers.
func TestLogoutText(t *testing.T) {
	cases := []struct {
		r    api.LogoutResult
		want string
	}{
		{api.LogoutResult{Removed: true, Revoked: []string{"refresh_token", "access_token"}},
			`Signed out of profile "p": revoked the refresh and access tokens at the server, and deleted them from this machine.`},
		{api.LogoutResult{Removed: true, Revoked: []string{"access_token"}},
			`Signed out of profile "p": revoked the access token at the server, and deleted them from this machine.`},
		{api.LogoutResult{Removed: true, RevocationNote: "the server has no revocation endpoint"},
			`Signed out of profile "p": the server has no revocation endpoint; forgot them locally.`},
		{api.LogoutResult{Removed: true, Revoked: []string{"refresh_token"}, RevocationNote: "revocation of the access token failed (x)"},
			`Signed out of profile "p": revoked the refresh token at the server; revocation of the access token failed (x); forgot them locally.`},
		{api.LogoutResult{Removed: true}, `Signed out of profile "p"; its sign-in was deleted from this machine.`},
		{api.LogoutResult{}, `Profile "p" had no stored tokens; it was removed from the profile list.`},
	}
	for _, c := range cases {
		if got := logoutText("p", &c.r); got != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
}
