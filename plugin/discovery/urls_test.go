package discovery

import (
	"strings"
	"testing"
)

func TestOIDCURL(t *testing.T) {
	tests := []struct{ issuer, want string }{
		{"https://a.example", "https://a.example/.well-known/openid-configuration"},
		{"https://a.example/", "https://a.example/.well-known/openid-configuration"},
		{"https://a.example/tenant", "https://a.example/tenant/.well-known/openid-configuration"},
	}
	for _, tt := range tests {
		if got := OIDCURL(tt.issuer); got != tt.want {
			t.Errorf("OIDCURL(%q) = %q, want %q", tt.issuer, got, tt.want)
		}
	}
}

func TestOAuthURL(t *testing.T) {
	tests := []struct {
		issuer, want, wantErr string
	}{
		{issuer: "https://a.example", want: "https://a.example/.well-known/oauth-authorization-server"},
		{issuer: "https://a.example/", want: "https://a.example/.well-known/oauth-authorization-server"},
		{issuer: "https://a.example/tenant", want: "https://a.example/.well-known/oauth-authorization-server/tenant"},
		{issuer: "https://a.example/tenant/", want: "https://a.example/.well-known/oauth-authorization-server/tenant"},
		{issuer: "https://a.example:8443/t/1", want: "https://a.example:8443/.well-known/oauth-authorization-server/t/1"},
		{issuer: "https://a.example/t%2F1", want: "https://a.example/.well-known/oauth-authorization-server/t%2F1"},
		{issuer: "a.example/tenant", wantErr: "not an absolute URL"},
		{issuer: "https://a.example/?x=1", wantErr: "query or fragment"},
		{issuer: "https://a.example/#f", wantErr: "query or fragment"},
		{issuer: "https://a.example/%zz", wantErr: "not a valid URL"},
	}
	for _, tt := range tests {
		t.Run(tt.issuer, func(t *testing.T) {
			got, err := OAuthURL(tt.issuer)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("OAuthURL(%q) error = %v, want it to mention %q", tt.issuer, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("OAuthURL(%q) = %q, %v; want %q", tt.issuer, got, err, tt.want)
			}
		})
	}
}

func TestCheckEndpointURL(t *testing.T) {
	tests := []struct {
		raw, wantErr string
	}{
		{raw: "https://a.example/token"},
		{raw: "HTTPS://a.example/token"},
		{raw: "http://localhost:8080/token"},
		{raw: "http://LOCALHOST/token"},
		{raw: "http://127.0.0.1:9000/token"},
		{raw: "http://127.8.9.10/token"},
		{raw: "http://[::1]:9000/token"},
		{raw: "", wantErr: "token_endpoint is missing"},
		{raw: "http://a.example/token", wantErr: `must use https; plain http is allowed only for localhost, not "a.example"`},
		{raw: "http://128.0.0.1/token", wantErr: "must use https"},
		{raw: "http://localhost.evil.example/token", wantErr: "must use https"},
		{raw: "http://[::2]/token", wantErr: "must use https"},
		{raw: "ftp://a.example/token", wantErr: `must use https, not "ftp"`},
		{raw: "/token", wantErr: "not an absolute URL"},
		{raw: "https:a.example", wantErr: "not an absolute URL"},
		{raw: "https://user:secret@a.example/token", wantErr: "must not contain a user name or password"},
		{raw: "https://a.example/token#frag", wantErr: "must not contain a fragment"},
		{raw: "https://a.example/token#", wantErr: "must not contain a fragment"},
		{raw: "https://a.example/%zz", wantErr: "not a valid URL"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			err := CheckEndpointURL("token_endpoint", tt.raw)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "token_endpoint") {
				t.Fatalf("error = %v, want it to start with the field and mention %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Fatalf("error leaks the URL's password: %v", err)
			}
		})
	}
}
