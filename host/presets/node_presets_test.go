package presets

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"testing"
)

// The Node.js package keeps the presets as data (host/node/lib/presets.json);
// this test holds that file to the presets here, so the two cannot drift.
func TestNodePresetsMatch(t *testing.T) {
	raw, err := os.ReadFile("../node/lib/presets.json")
	if err != nil {
		t.Fatal(err)
	}
	type nodePreset struct {
		Title                       string            `json:"title"`
		Issuer                      string            `json:"issuer"`
		AuthorizationEndpoint       string            `json:"authorization_endpoint"`
		TokenEndpoint               string            `json:"token_endpoint"`
		DeviceAuthorizationEndpoint string            `json:"device_authorization_endpoint"`
		Origins                     []string          `json:"origins"`
		Scopes                      []string          `json:"scopes"`
		AuthParams                  map[string]string `json:"auth_params"`
		ScopeSeparator              string            `json:"scope_separator"`
		TokenAuthMethod             string            `json:"token_auth_method"`
		RedirectHost                string            `json:"redirect_host"`
		DefaultTenant               string            `json:"default_tenant"`
		SecretRequired              bool              `json:"secret_required"`
		DeviceWithoutSecret         bool              `json:"device_without_secret"`
		Register                    string            `json:"register"`
	}
	var node map[string]nodePreset
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&node); err != nil {
		t.Fatalf("presets.json: %v", err)
	}
	if len(node) != len(all) {
		t.Errorf("presets.json has %d presets, Go has %d (%v)", len(node), len(all), Names())
	}
	for name, ps := range all {
		want := nodePreset{ps.Title, ps.Issuer, ps.AuthorizationEndpoint, ps.TokenEndpoint, ps.DeviceAuthorizationEndpoint,
			ps.Origins, ps.Scopes, ps.AuthParams, ps.ScopeSeparator, ps.TokenAuthMethod, ps.RedirectHost, ps.DefaultTenant,
			ps.SecretRequired, ps.DeviceWithoutSecret, ps.Register}
		if got, ok := node[name]; !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("preset %s: presets.json has\n%+v\nGo has\n%+v", name, got, want)
		}
	}
}
