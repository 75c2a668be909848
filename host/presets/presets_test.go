package presets

import (
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

func TestEveryPresetIsUsable(t *testing.T) {
	for _, name := range Names() {
		ps, err := Lookup(strings.ToUpper(name))
		if err != nil {
			t.Fatal(err)
		}
		if ps.Name != name || ps.Title == "" || ps.Register == "" {
			t.Errorf("%s: name, title or registration hint missing", name)
		}
		if (ps.Issuer == "") == (ps.TokenEndpoint == "") || (ps.TokenEndpoint == "") != (ps.AuthorizationEndpoint == "") {
			t.Errorf("%s: needs an issuer or both endpoints, not both kinds", name)
		}
		for _, u := range []string{ps.Issuer, ps.AuthorizationEndpoint, ps.TokenEndpoint, ps.DeviceAuthorizationEndpoint} {
			if pu, err := url.Parse(strings.ReplaceAll(u, "{tenant}", "common")); u != "" && (err != nil || pu.Scheme != "https") {
				t.Errorf("%s: %q is not an https URL", name, u)
			}
		}
		p, err := ps.Apply(api.Provider{ClientID: "c"}, Options{})
		if err != nil || strings.Contains(p.Issuer, "{") {
			t.Errorf("%s: Apply with defaults: %+v %v", name, p, err)
		}
	}
}

func TestLookupUnknownNamesTheKnownOnes(t *testing.T) {
	_, err := Lookup("gitea")
	if err == nil || !strings.Contains(err.Error(), "github, gitlab, google, microsoft, strava") || !strings.Contains(err.Error(), "--issuer") {
		t.Fatalf("got %v", err)
	}
}

func TestApplyExplicitWins(t *testing.T) {
	g, _ := Lookup("google")
	p, err := g.Apply(api.Provider{ClientID: "c", Scopes: []string{"openid"}, ExtraAuthParams: map[string]string{"prompt": "select_account"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"prompt": "select_account", "access_type": "offline"}
	if !reflect.DeepEqual(p.Scopes, []string{"openid"}) || !reflect.DeepEqual(p.ExtraAuthParams, want) || p.Issuer != "https://accounts.google.com" {
		t.Fatalf("got %+v", p)
	}
	// The preset's own map is not shared with the result.
	p.ExtraAuthParams["x"] = "y"
	if _, leaked := g.AuthParams["x"]; leaked {
		t.Fatal("Apply shares the preset's map")
	}
	if p2, _ := g.Apply(api.Provider{ClientID: "c"}, Options{}); !reflect.DeepEqual(p2.Scopes, []string{"openid", "email"}) {
		t.Fatalf("default scopes %v", p2.Scopes)
	}
}

func TestApplyEndpointOverrides(t *testing.T) {
	gh, _ := Lookup("github")
	p, _ := gh.Apply(api.Provider{ClientID: "c"}, Options{})
	if p.TokenEndpoint != "https://github.com/login/oauth/access_token" || p.DeviceAuthorizationEndpoint != "https://github.com/login/device/code" ||
		p.TokenAuthMethod != "client_secret_post" {
		t.Fatalf("github defaults %+v", p)
	}
	// GitHub Enterprise (or a test server): the device endpoint follows.
	p, _ = gh.Apply(api.Provider{ClientID: "c", AuthorizationEndpoint: "https://ghe.example/login/oauth/authorize",
		TokenEndpoint: "https://ghe.example/login/oauth/access_token"}, Options{})
	if p.DeviceAuthorizationEndpoint != "https://ghe.example/login/device/code" {
		t.Fatalf("device endpoint %q", p.DeviceAuthorizationEndpoint)
	}
	gl, _ := Lookup("gitlab")
	p, _ = gl.Apply(api.Provider{ClientID: "c", Issuer: "https://gitlab.example.com"}, Options{})
	if p.Issuer != "https://gitlab.example.com" || p.AuthorizationEndpoint != "" || !reflect.DeepEqual(p.Scopes, []string{"openid", "read_user"}) {
		t.Fatalf("self-managed gitlab %+v", p)
	}
	st, _ := Lookup("strava")
	p, _ = st.Apply(api.Provider{ClientID: "c"}, Options{})
	if p.ScopeSeparator != "," || p.TokenEndpoint != "https://www.strava.com/oauth/token" {
		t.Fatalf("strava %+v", p)
	}
}

func TestMicrosoftTenant(t *testing.T) {
	ms, _ := Lookup("microsoft")
	cases := []struct {
		given, tenant, want, wantErr string
	}{
		{"", "", "https://login.microsoftonline.com/common/v2.0", ""},
		{"", "organizations", "https://login.microsoftonline.com/organizations/v2.0", ""},
		{"", "72f988bf-86f1-41af-91ab-2d7cd011db47", "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0", ""},
		{"http://127.0.0.1:9/{tenant}/v2.0", "organizations", "http://127.0.0.1:9/organizations/v2.0", ""},
		{"http://127.0.0.1:9/common/v2.0", "", "http://127.0.0.1:9/common/v2.0", ""},
		{"http://127.0.0.1:9/common/v2.0", "organizations", "", "--tenant applies only"},
		{"", "consumers", "", "use --tenant common"},
		{"", "contoso.onmicrosoft.com", "", "give the tenant ID"},
		{"", "common/../x", "", "give the tenant ID"},
	}
	for _, c := range cases {
		p, err := ms.Apply(api.Provider{ClientID: "c", Issuer: c.given}, Options{Tenant: c.tenant})
		switch {
		case c.wantErr == "" && (err != nil || p.Issuer != c.want):
			t.Errorf("%q + %q: %q %v, want %q", c.given, c.tenant, p.Issuer, err, c.want)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%q + %q: %v, want an error with %q", c.given, c.tenant, err, c.wantErr)
		}
	}
	gh, _ := Lookup("github")
	if _, err := gh.Apply(api.Provider{ClientID: "c"}, Options{Tenant: "common"}); err == nil {
		t.Error("--tenant with github accepted")
	}
}

// The host learns origins only from metadata naming the configured issuer;
// Microsoft's alias tenants name another, so the userinfo origin comes from
// the preset, and only while the preset's own endpoints are used.
func TestPresetOriginsOnlyForThePresetsOwnEndpoints(t *testing.T) {
	ms, _ := Lookup("microsoft")
	if got := ms.OriginsFor(api.Provider{ClientID: "c"}); !slices.Equal(got, []string{"https://graph.microsoft.com"}) {
		t.Fatalf("OriginsFor(preset endpoints) = %v", got)
	}
	if got := ms.OriginsFor(api.Provider{ClientID: "c", Issuer: "https://fixture.example/common/v2.0"}); got != nil {
		t.Fatalf("OriginsFor(--issuer) = %v", got)
	}
	for _, name := range Names() {
		ps, _ := Lookup(name)
		for _, o := range ps.Origins {
			if u, err := url.Parse(o); err != nil || u.Scheme != "https" || u.Path != "" || u.User != nil {
				t.Errorf("%s: origin %q is not a bare https origin", name, o)
			}
		}
	}
}
