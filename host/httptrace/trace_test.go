package httptrace

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

type answer api.HTTPResponse

func (a answer) Do(context.Context, api.HTTPRequest) api.Reply[api.HTTPResponse] {
	r := api.HTTPResponse(a)
	return api.Reply[api.HTTPResponse]{OK: &r}
}

func TestRedactsByDefault(t *testing.T) {
	var out bytes.Buffer
	tr := &Tracer{W: &out, Next: answer{Status: 200, Headers: map[string][]string{"Set-Cookie": {"sid=SECRET-COOKIE"}},
		Body: `{"access_token":"SECRET-AT","refresh_token":"SECRET-RT","nested":{"id_token":"SECRET-ID"},"expires_in":3600}`}}
	tr.Do(context.Background(), api.HTTPRequest{Method: "POST", URL: "https://idp.example/token?code=SECRET-CODE&x=1",
		Headers: map[string][]string{"Authorization": {"Basic SECRET-BASIC"}},
		Body:    "grant_type=authorization_code&code=SECRET-CODE&code_verifier=SECRET-VERIFIER&client_secret=SECRET-CS"})
	if strings.Contains(out.String(), "SECRET") {
		t.Fatalf("a secret reached the trace:\n%s", out.String())
	}
	for _, want := range []string{"POST https://idp.example/token", "grant_type=authorization_code", `"expires_in":3600`, "< 200"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("trace lacks %q:\n%s", want, out.String())
		}
	}
}

func TestShowsSecretsOnlyWhenAsked(t *testing.T) {
	var out bytes.Buffer
	tr := &Tracer{W: &out, ShowSecrets: true, Next: answer{Status: 200, Body: `{"access_token":"AT"}`}}
	tr.Do(context.Background(), api.HTTPRequest{Method: "GET", URL: "https://idp.example/x"})
	if !strings.Contains(out.String(), `"access_token":"AT"`) {
		t.Fatalf("explicit opt-in must show the body:\n%s", out.String())
	}
}

func TestHTMLBodiesAreSummarised(t *testing.T) {
	var out bytes.Buffer
	tr := &Tracer{W: &out, Next: answer{Status: 502, Body: "<html>echo SECRET-ECHO</html>"}}
	tr.Do(context.Background(), api.HTTPRequest{Method: "GET", URL: "https://idp.example/x"})
	if strings.Contains(out.String(), "SECRET") || !strings.Contains(out.String(), "not shown") {
		t.Fatalf("trace:\n%s", out.String())
	}
}
