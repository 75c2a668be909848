package httpguard

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"

	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/mcpauth"
)

// The MCP profile's sandbox. An instance signing in to an MCP server may
// reach that server's origin and nothing else until documents the host
// checks itself teach more, each by one rule (wit/EMBEDDING.md):
//
//   - a challenge the host received from the MCP server (SetMCPChallenge)
//     makes its resource_metadata URL a metadata location, and its origin
//     reachable;
//   - protected resource metadata, fetched from a metadata location (the
//     challenge's or the well-known ones mcpauth.ResourceMetadataURLs
//     derives from the server URL) whose resource speaks for the server
//     (mcpauth.Covers), makes each authorization server it names an issuer
//     whose metadata may teach, and that issuer's origin reachable;
//   - such an issuer's metadata, fetched from one of the locations
//     mcpauth.MetadataURLs derives, with that issuer byte for byte,
//     teaches the origins of its endpoints (mcpLearnedFields).
//
// The parsing and matching are the plugin's own functions (package
// mcpauth), so the host and the plugin cannot disagree on what a document
// says. Anything else teaches nothing: a document for another resource, a
// document at another path, metadata naming another issuer.

// mcpLearnedFields are learnedFields and the registration endpoint, which
// an MCP client may use (RFC 7591).
var mcpLearnedFields = append(slices.Clone(learnedFields), "registration_endpoint")

// SetMCPServer lets the plugin reach the MCP server at serverURL and learn
// from its metadata as described above. It reports a URL the profile
// refuses (mcpauth.Canonical).
func (g *Guard) SetMCPServer(serverURL string) error {
	server, err := mcpauth.Canonical(serverURL)
	if err != nil {
		return err
	}
	g.Allow(server)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.mcpServer = server
	g.prmTargets = append(g.prmTargets, mcpauth.ResourceMetadataURLs(server)...)
	return nil
}

// SetMCPChallenge is called with the WWW-Authenticate values of a 401 or
// 403 the host itself received from the MCP server: the resource_metadata
// URL they name becomes reachable and a metadata location. The host never
// takes a challenge from the plugin, which could name any URL.
func (g *Guard) SetMCPChallenge(values []string) {
	b, ok := mcpauth.ParseBearer(values)
	if !ok || b.ResourceMetadata == "" || mcpauth.CheckURL("resource_metadata", b.ResourceMetadata) != nil {
		return
	}
	g.mu.Lock()
	if g.mcpServer == "" {
		g.mu.Unlock()
		return
	}
	g.prmTargets = append(g.prmTargets, b.ResourceMetadata)
	g.mu.Unlock()
	g.Allow(b.ResourceMetadata)
}

// learnFromMCP applies the MCP rules to one exchange the guard performed.
func (g *Guard) learnFromMCP(req api.HTTPRequest, resp *api.HTTPResponse) {
	if req.Method != http.MethodGet || resp.Status != http.StatusOK {
		return
	}
	g.mu.Lock()
	server := g.mcpServer
	isPRM := server != "" && slices.ContainsFunc(g.prmTargets, func(t string) bool { return mcpauth.SameDocument(t, req.URL) })
	var issuer string
	for _, is := range g.mcpIssuers {
		if slices.ContainsFunc(mcpauth.MetadataURLs(is), func(t string) bool { return mcpauth.SameDocument(t, req.URL) }) {
			issuer = is
		}
	}
	g.mu.Unlock()
	switch {
	case isPRM:
		m, err := mcpauth.ParseResourceMetadata([]byte(resp.Body), server)
		if err != nil {
			return
		}
		g.mu.Lock()
		for _, is := range m.AuthorizationServers {
			if !slices.Contains(g.mcpIssuers, is) {
				g.mcpIssuers = append(g.mcpIssuers, is)
			}
		}
		g.mu.Unlock()
		for _, is := range m.AuthorizationServers {
			g.Allow(is)
		}
	case issuer != "":
		g.learnEndpoints(resp, issuer, mcpLearnedFields)
	}
}

// learnEndpoints allows the origins of fields of a metadata document whose
// issuer is issuer byte for byte; a document that is not exactly one JSON
// object with distinct members teaches nothing.
func (g *Guard) learnEndpoints(resp *api.HTTPResponse, issuer string, fields []string) {
	doc, err := topLevelMembers([]byte(resp.Body))
	if err != nil {
		return
	}
	var docIssuer string
	if raw, ok := doc["issuer"]; !ok || json.Unmarshal(raw, &docIssuer) != nil || docIssuer != issuer {
		return
	}
	var learned []string
	for _, field := range fields {
		var s string
		if raw, ok := doc[field]; !ok || json.Unmarshal(raw, &s) != nil {
			continue
		}
		u, err := url.Parse(s)
		if err != nil || u.User != nil || !schemeAcceptable(u) {
			continue
		}
		if o, err := originOfURL(u); err == nil {
			learned = append(learned, o)
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, o := range learned {
		g.allowed[o] = struct{}{}
	}
}
