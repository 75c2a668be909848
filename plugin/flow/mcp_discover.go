package flow

import (
	"slices"
	"strconv"
	"strings"

	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/discovery"
	"github.com/wasmlogin/wasmlogin/plugin/mcpauth"
)

// mcpServer is what discovery learned about an MCP server and its
// authorization server.
type mcpServer struct {
	// server is the canonical server URL; resource the resource indicator
	// to send: the protected resource metadata's own resource when it
	// has one (RFC 9728 3.3 has it identify the resource), else server.
	server, resource string
	// resourceScopes is scopes_supported of the resource's metadata.
	resourceScopes []string
	ep             endpoints
	// registration is the RFC 7591 endpoint, "" when there is none.
	registration string
	// metadataDocuments: the server takes client ID metadata documents.
	metadataDocuments bool
	// pkce: the metadata lists S256 (or, for a server of the 2025-03-26
	// revision without metadata, nothing could say otherwise).
	pkce bool
	// legacy: no protected resource metadata; the MCP server's origin is
	// the authorization base (2025-03-26 revision).
	legacy bool
	// tried lists where metadata was looked for, for messages.
	tried []string
}

// mcpDiscover finds the MCP server's authorization server (MCP
// authorization, "Authorization Server Discovery"): the protected resource
// metadata first, from the challenge's URL, else the well-known locations;
// then the authorization server's own metadata. A server without resource
// metadata is of the 2025-03-26 revision: its origin's metadata, else its
// fixed endpoints.
func (e *Engine) mcpDiscover(server string, ch mcpauth.Bearer) (*mcpServer, *api.Error) {
	s := &mcpServer{server: server, resource: server}
	var candidates []string
	if ch.ResourceMetadata != "" {
		if err := mcpauth.CheckURL("the challenge's resource_metadata", ch.ResourceMetadata); err != nil {
			e.host.Notify("warn", "The MCP server's challenge names unusable metadata ("+clean(err.Error())+"); looking in the well-known locations instead.")
		} else {
			candidates = append(candidates, ch.ResourceMetadata)
		}
	}
	for _, u := range mcpauth.ResourceMetadataURLs(server) {
		if !slices.Contains(candidates, u) {
			candidates = append(candidates, u)
		}
	}
	var prm *mcpauth.ResourceMetadata
	for _, u := range candidates {
		resp, err := e.fetchJSON("fetching the MCP server's resource metadata", u)
		if err != nil {
			return nil, err
		}
		if resp == nil {
			s.tried = append(s.tried, u)
			continue
		}
		m, perr := mcpauth.ParseResourceMetadata([]byte(resp.Body), server)
		if perr != nil {
			return nil, failf(api.CodeInvalidResp, "the protected resource metadata at %s was refused: %s", clean(u), clean(perr.Error()))
		}
		prm = m
		break
	}
	if prm == nil {
		return e.mcpLegacy(s)
	}
	s.resource, s.resourceScopes = prm.Resource, prm.ScopesSupported
	issuer := prm.AuthorizationServers[0]
	md, err := e.mcpServerMetadata(issuer)
	if err != nil {
		return nil, err
	}
	s.fromMetadata(md)
	return s, nil
}

// mcpServerMetadata fetches the authorization server's metadata from the
// locations mcpauth.MetadataURLs lists, in order, and refuses one that names
// another issuer (RFC 8414 3.3): its endpoints would be another server's.
func (e *Engine) mcpServerMetadata(issuer string) (*discovery.Metadata, *api.Error) {
	urls := mcpauth.MetadataURLs(issuer)
	if len(urls) == 0 {
		return nil, failf(api.CodeInvalidResp, "the MCP server names the authorization server %q, which is not an https URL without a query; it cannot be used", clean(issuer))
	}
	for _, u := range urls {
		if md := e.cachedMetadata(u, issuer); md != nil {
			return md, nil
		}
		resp, err := e.fetchJSON("fetching the authorization server's metadata", u)
		if err != nil {
			return nil, err
		}
		if resp == nil {
			continue
		}
		md, perr := discovery.Parse([]byte(resp.Body), issuer)
		if perr != nil {
			return nil, failf(api.CodeInvalidResp, "the authorization server metadata at %s was refused: %s", clean(u), clean(strings.TrimPrefix(perr.Error(), "discovery: ")))
		}
		e.rememberMetadata(u, issuer, md)
		return md, nil
	}
	return nil, failf(api.CodeInvalidResp, "the authorization server %s publishes no metadata (tried %s); an MCP client needs it to find the endpoints",
		clean(issuer), strings.Join(urls, ", "))
}

// mcpLegacy finds the authorization server of a 2025-03-26 server: RFC 8414
// metadata at the MCP server's origin, whose issuer may carry a path on
// that origin (the revision made the origin, not an issuer, the
// authorization base); without it, the fixed endpoints on the origin.
func (e *Engine) mcpLegacy(s *mcpServer) (*mcpServer, *api.Error) {
	l, _ := mcpauth.LegacyEndpoints(s.server)
	s.legacy = true
	resp, err := e.fetchJSON("fetching the MCP server's authorization metadata", l.MetadataURL)
	if err != nil {
		return nil, err
	}
	if resp == nil {
		s.tried = append(s.tried, l.MetadataURL)
		e.host.Notify("info", "The MCP server publishes no authorization metadata (tried "+strings.Join(s.tried, ", ")+
			"); using the default endpoints of MCP 2025-03-26 at "+l.Base+".")
		s.ep = endpoints{Issuer: l.Base, Authorization: l.Authorization, Token: l.Token}
		s.registration, s.pkce = l.Registration, true
		return s, nil
	}
	md, perr := discovery.ParseOnOrigin([]byte(resp.Body), l.Base)
	if perr != nil {
		return nil, failf(api.CodeInvalidResp, "the authorization server metadata at %s was refused: %s", l.MetadataURL, clean(strings.TrimPrefix(perr.Error(), "discovery: ")))
	}
	s.fromMetadata(md)
	return s, nil
}

func (s *mcpServer) fromMetadata(md *discovery.Metadata) {
	s.ep = endpoints{Issuer: md.Issuer, Authorization: md.AuthorizationEndpoint, Token: md.TokenEndpoint,
		JWKS: md.JWKSURI, Userinfo: md.UserinfoEndpoint, Revocation: md.RevocationEndpoint,
		IssParameter: md.AuthorizationResponseIssParameterSupported, TokenAuthMethods: md.TokenEndpointAuthMethodsSupported,
		ScopesSupported: md.ScopesSupported, PushedAuthorization: md.PushedAuthorizationRequestEndpoint}
	s.registration = md.RegistrationEndpoint
	s.metadataDocuments = md.ClientIDMetadataDocumentSupported
	s.pkce = slices.Contains(md.CodeChallengeMethodsSupported, "S256")
}

// fetchJSON GETs a metadata document. A 200 is returned; a 4xx means "not
// here" and returns nil, nil, so the caller tries the next location; a 5xx
// or a network failure stops discovery as transient.
func (e *Engine) fetchJSON(what, u string) (*api.HTTPResponse, *api.Error) {
	resp, herr := e.get(u, "application/json")
	switch {
	case herr != nil && herr.Code == api.HostDisallowedHost:
		return nil, failf(api.CodeInvalidResp, "%s: %s", what, herr.Message)
	case herr != nil:
		return nil, hostFailure(what+" from "+clean(u), herr)
	case resp.Status == 200:
		return resp, nil
	case resp.Status >= 500 || resp.Status == 429:
		return nil, withRetryAfter(failf(api.CodeTransient, "%s from %s: HTTP %d; try again later", what, clean(u), resp.Status), resp)
	case resp.Status >= 400:
		return nil, nil
	}
	return nil, failf(api.CodeInvalidResp, "%s from %s: HTTP %s, not 200", what, clean(u), strconv.Itoa(resp.Status))
}
