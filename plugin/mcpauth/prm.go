package mcpauth

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"

	"github.com/wasmlogin/wasmlogin/plugin/internal/jsonv"
)

// ResourceMetadata is what an MCP client reads from protected resource
// metadata (RFC 9728 2).
type ResourceMetadata struct {
	Resource             string
	AuthorizationServers []string
	ScopesSupported      []string
}

// ParseResourceMetadata reads a protected resource metadata document
// fetched for the server at serverURL and refuses one that does not speak
// for it (RFC 9728 3.3, Covers): a client that used it would send the user
// to an authorization server another resource named, and a token for that
// resource to this one. It also refuses a document without an
// authorization server, or one whose servers are not URLs a client may
// use.
func ParseResourceMetadata(body []byte, serverURL string) (*ResourceMetadata, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, errors.New("it is not a JSON object")
	}
	v, err := jsonv.Parse(trimmed)
	if err != nil {
		return nil, fmt.Errorf("it is not valid JSON: %w", err)
	}
	var m ResourceMetadata
	if err := v.DecodeFields([]jsonv.Field{
		jsonv.Always("resource", &m.Resource),
		jsonv.Always("authorization_servers", &m.AuthorizationServers),
		jsonv.Always("scopes_supported", &m.ScopesSupported),
	}); err != nil {
		return nil, fmt.Errorf("it is not valid metadata: %w", err)
	}
	if m.Resource == "" {
		return nil, errors.New("it names no resource")
	}
	if !Covers(m.Resource, serverURL) {
		return nil, fmt.Errorf("it is for the resource %s, not for %s; a server must not hand out another resource's metadata (RFC 9728 3.3)",
			strconv.Quote(clip(m.Resource)), strconv.Quote(clip(serverURL)))
	}
	if len(m.AuthorizationServers) == 0 {
		return nil, errors.New("it names no authorization server")
	}
	for _, as := range m.AuthorizationServers {
		if err := CheckURL("its authorization server", as); err != nil {
			return nil, err
		}
	}
	return &m, nil
}
