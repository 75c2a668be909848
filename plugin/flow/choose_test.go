package flow

import (
	"strings"
	"testing"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

func TestLoginChoose(t *testing.T) {
	browserOnly := &api.Provider{ClientID: "cli", AuthorizationEndpoint: "https://idp.example/auth", TokenEndpoint: "https://idp.example/token"}
	deviceOnly := &api.Provider{ClientID: "cli", TokenEndpoint: "https://idp.example/token", DeviceAuthorizationEndpoint: "https://idp.example/device/code"}
	cases := []struct {
		name     string
		provider *api.Provider
		disc     string // discovery document; default: with a device endpoint
		in       api.LoginChooseInput
		flow     string
		want     string // in the reason, or in the error
		code     string // error code, when an error is expected
	}{
		{"desktop", deviceProvider, "", api.LoginChooseInput{BrowserUsable: true}, "browser", "a browser can be opened on this machine", ""},
		{"ssh session", deviceProvider, "", api.LoginChooseInput{BrowserUsable: true, Remote: true}, "device",
			"this looks like an SSH session or a machine without a display, and the server offers the device flow", ""},
		{"no browser", deviceProvider, "", api.LoginChooseInput{}, "device", "no browser can be opened here, and the server offers the device flow", ""},
		{"ssh without device flow", deviceProvider, discoveryDoc, api.LoginChooseInput{Remote: true}, "browser",
			"but the server offers no device flow", ""},
		{"no browser, no device flow", browserOnly, "", api.LoginChooseInput{}, "browser", "open the URL yourself", ""},
		{"device asked", deviceProvider, "", api.LoginChooseInput{Prefer: "device", BrowserUsable: true}, "device", "you asked for the device flow", ""},
		{"browser asked over ssh", deviceProvider, "", api.LoginChooseInput{Prefer: "browser", Remote: true}, "browser", "you asked for the browser flow", ""},
		{"device asked, none offered", deviceProvider, discoveryDoc, api.LoginChooseInput{Prefer: "device"}, "",
			"the device flow is not available: https://idp.example does not offer it", api.CodeBadInput},
		{"device asked, explicit endpoints", browserOnly, "", api.LoginChooseInput{Prefer: "device"}, "",
			"the configured endpoints include no device authorization endpoint; sign in with the browser flow instead", api.CodeBadInput},
		{"device-only configuration", deviceOnly, "", api.LoginChooseInput{BrowserUsable: true}, "device", "configured for the device flow only", ""},
		{"browser asked, device-only configuration", deviceOnly, "", api.LoginChooseInput{Prefer: "browser"}, "",
			"no authorization endpoint is configured", api.CodeBadInput},
		{"unknown preference", deviceProvider, "", api.LoginChooseInput{Prefer: "carrier-pigeon"}, "", `unknown flow "carrier-pigeon"`, api.CodeBadInput},
		{"no provider", nil, "", api.LoginChooseInput{}, "", "needs a client id", api.CodeBadInput},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, h, s, _ := newDeviceEngine(t)
			if c.disc != "" {
				s.discovery = c.disc
			}
			c.in.Provider = c.provider
			got, err := e.LoginChoose(c.in)
			if c.code != "" {
				if err == nil || err.Code != c.code || !strings.Contains(err.Message, c.want) {
					t.Fatalf("got %+v %+v, want %s with %q", got, err, c.code, c.want)
				}
				return
			}
			if err != nil || got.Flow != c.flow || !strings.Contains(got.Reason, c.want) {
				t.Fatalf("got %+v %+v, want %s because %q", got, err, c.flow, c.want)
			}
			if c.provider.AuthorizationEndpoint != "" || c.provider.TokenEndpoint != "" {
				if len(h.requests) != 0 {
					t.Fatalf("explicit endpoints, yet %d requests", len(h.requests))
				}
			}
		})
	}
}

// login_choose and the flow it picks share one discovery fetch.
func TestChooseThenBeginFetchDiscoveryOnce(t *testing.T) {
	e, _, s, c := newDeviceEngine(t)
	if _, err := e.LoginChoose(api.LoginChooseInput{ProfileRef: api.ProfileRef{Provider: deviceProvider}, Remote: true}); err != nil {
		t.Fatal(err)
	}
	beginDevice(t, e, deviceProvider, false)
	if _, err := e.LoginBegin(api.LoginBeginInput{ProfileRef: api.ProfileRef{Provider: deviceProvider},
		RedirectURI: "http://127.0.0.1:5000/callback"}); err != nil {
		t.Fatal(err)
	}
	if n := s.fetches["/.well-known/openid-configuration"]; n != 1 {
		t.Fatalf("discovery fetched %d times, want 1", n)
	}
	// A long-lived instance sees the server's configuration again later.
	c.t = c.t.Add(metadataLifetime + 1)
	beginDevice(t, e, deviceProvider, false)
	if n := s.fetches["/.well-known/openid-configuration"]; n != 2 {
		t.Fatalf("discovery fetched %d times after the cache lifetime, want 2", n)
	}
}
