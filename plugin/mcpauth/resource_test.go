package mcpauth

import (
	"reflect"
	"strings"
	"testing"
)

func TestCanonicalAndProfile(t *testing.T) {
	cases := []struct{ in, want, wantErr string }{
		{in: "https://MCP.Example.com/mcp", want: "https://mcp.example.com/mcp"},
		{in: "https://mcp.example.com:443/", want: "https://mcp.example.com"},
		{in: "https://mcp.example.com", want: "https://mcp.example.com"},
		{in: "https://mcp.example.com/a/b/", want: "https://mcp.example.com/a/b/"},
		{in: "http://localhost:3000/mcp", want: "http://localhost:3000/mcp"},
		{in: "http://127.0.0.1:80/mcp", want: "http://127.0.0.1/mcp"},
		{in: "http://[::1]:8080/mcp", want: "http://[::1]:8080/mcp"},
		{in: "https://mcp.example.com/mcp?tenant=a", want: "https://mcp.example.com/mcp?tenant=a"},
		{in: "http://mcp.example.com/mcp", wantErr: "plain http is allowed only to localhost"},
		{in: "https://mcp.example.com/mcp#frag", wantErr: "fragment"},
		{in: "https://user:pw@mcp.example.com/mcp", wantErr: "user name or password"},
		{in: "mcp.example.com/mcp", wantErr: "not an absolute URL"},
		{in: "ftp://mcp.example.com/", wantErr: "must use https"},
	}
	for _, c := range cases {
		got, err := Canonical(c.in)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("Canonical(%q) = %q, %v; want an error with %q", c.in, got, err, c.wantErr)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("Canonical(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
		if p, _ := Profile(c.in); p != "mcp:"+c.want {
			t.Errorf("Profile(%q) = %q", c.in, p)
		}
	}
}

func TestCovers(t *testing.T) {
	cases := []struct {
		resource, server string
		want             bool
	}{
		{"https://r.example/mcp", "https://r.example/mcp", true},
		{"https://r.example/mcp/", "https://r.example/mcp", true},
		{"https://R.example:443/mcp", "https://r.example/mcp", true},
		{"https://r.example", "https://r.example/mcp", true},
		{"https://r.example/", "https://r.example/mcp", true},
		{"https://r.example/a", "https://r.example/a/b", true},
		{"https://evil.example/mcp", "https://r.example/mcp", false},
		{"http://r.example/mcp", "https://r.example/mcp", false},
		{"https://r.example:8443/mcp", "https://r.example/mcp", false},
		{"https://r.example/mc", "https://r.example/mcp", false},
		{"https://r.example/mcp/sub", "https://r.example/mcp", false},
		{"https://r.example/other", "https://r.example/mcp", false},
		{"https://r.example/mcp#x", "https://r.example/mcp", false},
		{"https://r.example/mcp?x=1", "https://r.example/mcp", false},
		{"", "https://r.example/mcp", false},
		{"not a url", "https://r.example/mcp", false},
	}
	for _, c := range cases {
		if got := Covers(c.resource, c.server); got != c.want {
			t.Errorf("Covers(%q, %q) = %v, want %v", c.resource, c.server, got, c.want)
		}
	}
}

func TestWellKnownLocations(t *testing.T) {
	if got, want := ResourceMetadataURLs("http://localhost:3000/mcp"), []string{
		"http://localhost:3000/.well-known/oauth-protected-resource/mcp",
		"http://localhost:3000/.well-known/oauth-protected-resource"}; !reflect.DeepEqual(got, want) {
		t.Errorf("PRM with a path: %v", got)
	}
	if got, want := ResourceMetadataURLs("https://r.example/"), []string{"https://r.example/.well-known/oauth-protected-resource"}; !reflect.DeepEqual(got, want) {
		t.Errorf("PRM without a path: %v", got)
	}
	if got, want := MetadataURLs("https://as.example/tenant1"), []string{
		"https://as.example/.well-known/oauth-authorization-server/tenant1",
		"https://as.example/.well-known/openid-configuration/tenant1",
		"https://as.example/tenant1/.well-known/openid-configuration"}; !reflect.DeepEqual(got, want) {
		t.Errorf("AS metadata with a path: %v", got)
	}
	if got, want := MetadataURLs("https://as.example"), []string{
		"https://as.example/.well-known/oauth-authorization-server",
		"https://as.example/.well-known/openid-configuration"}; !reflect.DeepEqual(got, want) {
		t.Errorf("AS metadata without a path: %v", got)
	}
	for _, bad := range []string{"http://as.example", "https://as.example/?q=1", "https://as.example/#f"} {
		if got := MetadataURLs(bad); got != nil {
			t.Errorf("MetadataURLs(%q) = %v, want none", bad, got)
		}
	}
	l, ok := LegacyEndpoints("http://localhost:3000/mcp")
	if !ok || l.MetadataURL != "http://localhost:3000/.well-known/oauth-authorization-server" ||
		l.Authorization != "http://localhost:3000/authorize" || l.Token != "http://localhost:3000/token" || l.Registration != "http://localhost:3000/register" {
		t.Errorf("legacy: %+v", l)
	}
}

func TestSameDocument(t *testing.T) {
	if !SameDocument("https://A.example:443/x/y", "https://a.example/x/y") {
		t.Error("same document in another spelling")
	}
	for _, other := range []string{"https://a.example/x/y?z", "https://a.example/x/y/", "https://a.example/x/Y", "https://u@a.example/x/y", "http://a.example/x/y"} {
		if SameDocument(other, "https://a.example/x/y") {
			t.Errorf("%q taken for https://a.example/x/y", other)
		}
	}
}
