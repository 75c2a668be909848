package profiles

import (
	"strings"
	"testing"

	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/flow"
)

func TestCheckNameAcceptsUsualAndDerivedNames(t *testing.T) {
	names := []string{"work", "x", "x#1", "alice@example.com", "ci.deploy_bot-2"}
	for _, p := range []api.Provider{ // the shapes of the presets' and tests' providers
		{Issuer: "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0", ClientID: "04b07795-8ddb-461a-bbee-02f9e1bf7b46"},
		{Issuer: "https://accounts.google.com", ClientID: "407408718192.apps.googleusercontent.com"},
		{TokenEndpoint: "https://github.com/login/oauth/access_token", ClientID: "Iv1.8a61f9b3a7aba766"},
		{Issuer: "http://127.0.0.1:5556/dex", ClientID: "example-app"},
		{Issuer: "http://[::1]:8080/realms/team_a", ClientID: "cli~tool+1"},
	} {
		names = append(names, flow.DeriveProfile(&p))
	}
	for _, n := range names {
		if err := CheckName(n); err != nil {
			t.Errorf("%q refused: %v", n, err)
		}
	}
}

func TestCheckNameRefusesWhatCannotBeKeptApart(t *testing.T) {
	for _, n := range []string{"", "my work", "line\nbreak", "tab\t", "wоrk" /* Cyrillic o */, strings.Repeat("a", MaxNameLength+1)} {
		err := CheckName(n)
		if err == nil {
			t.Errorf("%q accepted", n)
			continue
		}
		if !strings.Contains(err.Error(), "profile name") {
			t.Errorf("%q: the error does not say what a name may be: %v", n, err)
		}
	}
}
