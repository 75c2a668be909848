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

// trace runs one exchange through a Tracer with default settings and
// returns what it printed.
func trace(req api.HTTPRequest, resp answer) string {
	var out bytes.Buffer
	(&Tracer{W: &out, Next: resp}).Do(context.Background(), req)
	return out.String()
}

func mustNotLeak(t *testing.T, out string) {
	t.Helper()
	if strings.Contains(out, "SECRET") {
		t.Fatalf("a secret reached the trace:\n%s", out)
	}
}

// Each case below is a way the trace used to print a secret: it printed
// what it did not recognise instead of redacting it.

func TestUnparsableURLRedactedWhole(t *testing.T) {
	for _, u := range []string{"https://idp.example/%zz?code=SECRET-CODE", "http://[::1/cb?code=SECRET-CODE", "https://idp.example/cb?code=SECRET-CODE\x7f"} {
		out := trace(api.HTTPRequest{Method: "GET", URL: u}, answer{Status: 200})
		mustNotLeak(t, out)
		if !strings.Contains(out, "> GET [unparsable URL, redacted]") {
			t.Errorf("trace of %q:\n%s", u, out)
		}
	}
}

func TestURLKeepsOnlyKnownParameters(t *testing.T) {
	out := trace(api.HTTPRequest{Method: "GET",
		URL: "https://user:SECRET-PW@idp.example/authorize?client_id=cli&state=SECRET-STATE&x_custom=SECRET-X&SECRET-NAME=1#access_token=SECRET-AT"},
		answer{Status: 200})
	mustNotLeak(t, out)
	if !strings.Contains(out, "> GET https://[redacted]@idp.example/authorize?client_id=cli&state=[redacted]&(2 more redacted)#[redacted]") {
		t.Fatalf("trace:\n%s", out)
	}
}

func TestJSONArrayBodyWithEqualsSignIsRedacted(t *testing.T) {
	body := `[{"access_token":"SECRET-AT","note":"a=b"},"SECRET-BARE"]`
	out := trace(api.HTTPRequest{Method: "POST", URL: "https://idp.example/token", Body: body}, answer{Status: 200, Body: body})
	mustNotLeak(t, out)
	if !strings.Contains(out, `[{"access_token":"[redacted]",(1 more redacted)},"[redacted]"]`) {
		t.Fatalf("trace:\n%s", out)
	}
}

func TestFormBodyNamesAreNotTrusted(t *testing.T) {
	// Base64 padding makes a bare token look like a form.
	out := trace(api.HTTPRequest{Method: "POST", URL: "https://idp.example/token", Body: "grant_type=client_credentials"},
		answer{Status: 200, Body: "U0VDUkVULVRPS0VO==&SECRET-NAME=x&scope=openid"})
	mustNotLeak(t, out)
	if strings.Contains(out, "U0VDUkVU") || !strings.Contains(out, "< scope=openid&(2 more redacted)") {
		t.Fatalf("trace:\n%s", out)
	}
}

func TestOnlyKnownHeadersShown(t *testing.T) {
	out := trace(api.HTTPRequest{Method: "POST", URL: "https://idp.example/token",
		Headers: map[string][]string{"Proxy-Authorization": {"Basic SECRET-PROXY"}, "DPoP": {"SECRET-PROOF"},
			"Content-Type": {"application/x-www-form-urlencoded"}}},
		answer{Status: 302, Headers: map[string][]string{
			"Location":      {"http://127.0.0.1:5000/callback?code=SECRET-CODE&state=SECRET-STATE&iss=https%3A%2F%2Fidp.example"},
			"X-Debug-Token": {"SECRET-DEBUG"}, "Retry-After": {"7"}, "Set-Cookie": {"sid=SECRET-COOKIE"}}})
	mustNotLeak(t, out)
	for _, want := range []string{"> Proxy-Authorization: [redacted]", "> DPoP: [redacted]", "> Content-Type: application/x-www-form-urlencoded",
		"< Location: http://127.0.0.1:5000/callback?code=[redacted]&iss=https%3A%2F%2Fidp.example&state=[redacted]",
		"< X-Debug-Token: [redacted]", "< Retry-After: 7", "< Set-Cookie: [redacted]"} {
		if !strings.Contains(out, want) {
			t.Errorf("trace lacks %q:\n%s", want, out)
		}
	}
}

func TestDeviceCodesRedacted(t *testing.T) {
	out := trace(api.HTTPRequest{Method: "POST", URL: "https://idp.example/device", Body: "client_id=cli&scope=openid"},
		answer{Status: 200, Body: `{"device_code":"SECRET-DC","user_code":"SECRET-UC","verification_uri":"https://idp.example/device",
			"verification_uri_complete":"https://idp.example/device?user_code=SECRET-UC","expires_in":600,"interval":5}`})
	mustNotLeak(t, out)
	if !strings.Contains(out, `"user_code":"[redacted]"`) || !strings.Contains(out, `"interval":5`) {
		t.Fatalf("trace:\n%s", out)
	}
	out = trace(api.HTTPRequest{Method: "POST", URL: "https://idp.example/verify", Body: "user_code=SECRET-UC"}, answer{Status: 200})
	mustNotLeak(t, out)
}

func TestUnknownJSONMembersRedacted(t *testing.T) {
	out := trace(api.HTTPRequest{Method: "GET", URL: "https://idp.example/keys"},
		answer{Status: 200, Body: `{"keys":[{"kty":"RSA","kid":"k1","n":"AQAB","e":"AQAB","d":"SECRET-PRIVATE"}],
			"athlete":{"name":"SECRET-PII"},"SECRET-NAME":1,"scopes_supported":["openid"]}`})
	mustNotLeak(t, out)
	if !strings.Contains(out, `{"keys":[{"e":"AQAB","kid":"k1","kty":"RSA","n":"AQAB",(1 more redacted)}],"scopes_supported":["openid"],(2 more redacted)}`) {
		t.Fatalf("trace:\n%s", out)
	}
}
