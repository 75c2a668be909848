package flow

import (
	"net/url"
	"strings"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// get fetches a URL through the host.
func (e *Engine) get(rawURL string, accept string) (*api.HTTPResponse, *api.Error) {
	return e.host.HTTP(api.HTTPRequest{Method: "GET", URL: rawURL,
		Headers: map[string][]string{"Accept": {accept}}})
}

// postForm sends an RFC 6749 form to a token-style endpoint. Accept asks
// GitHub-like servers for JSON; they answer form-encoded without it.
func (e *Engine) postForm(endpoint string, form url.Values, clientID, secret, authMethod string) (*api.HTTPResponse, *api.Error) {
	h := map[string][]string{
		"Content-Type": {"application/x-www-form-urlencoded"},
		"Accept":       {"application/json"},
	}
	switch {
	case secret != "" && authMethod == "client_secret_post":
		form.Set("client_id", clientID)
		form.Set("client_secret", secret)
	case secret != "":
		// RFC 6749 2.3.1: both parts are form-encoded before Basic encoding.
		h["Authorization"] = []string{"Basic " + basicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))}
	default:
		form.Set("client_id", clientID)
	}
	return e.host.HTTP(api.HTTPRequest{Method: "POST", URL: endpoint, Headers: h, Body: form.Encode()})
}

func header(r *api.HTTPResponse, name string) string {
	for k, v := range r.Headers {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// clientAuthMethod prefers client_secret_basic (RFC 6749's MUST-support) and
// uses client_secret_post only when the server says it takes nothing else.
func clientAuthMethod(supported []string) string {
	if len(supported) == 0 {
		return "client_secret_basic"
	}
	for _, m := range supported {
		if m == "client_secret_basic" {
			return m
		}
	}
	for _, m := range supported {
		if m == "client_secret_post" {
			return m
		}
	}
	return "client_secret_basic"
}
