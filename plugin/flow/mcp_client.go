package flow

import (
	"net/url"
	"slices"
	"strings"

	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/mcpauth"
	"github.com/wasmlogin/wasmlogin/plugin/tokenresp"
)

// Where an MCP sign-in's client ID came from (mcpState.Client).
const (
	clientPreRegistered    = "pre-registered"
	clientMetadataDocument = "metadata_document"
	clientRegistered       = "registered"
)

// mcpClient is the client an MCP sign-in uses.
type mcpClient struct {
	id, secret, method, signingAlg, source string
}

// checkMCPClient refuses a client description that cannot work, before
// anything is sent.
func checkMCPClient(c *api.MCPClient) *api.Error {
	if c.TokenAuthMethod != "" && !mcpauth.KnownAuthMethod(c.TokenAuthMethod) {
		return failf(api.CodeBadInput, "token endpoint authentication %q is not one this client can do; use none, client_secret_basic, client_secret_post or private_key_jwt", clean(c.TokenAuthMethod))
	}
	if c.SigningAlg != "" && !slices.Contains(mcpauth.SigningAlgs, c.SigningAlg) {
		return failf(api.CodeBadInput, "signing algorithm %q is not one the host signs with; use one of %s", clean(c.SigningAlg), strings.Join(mcpauth.SigningAlgs, ", "))
	}
	if c.TokenAuthMethod == mcpauth.AuthPrivateKeyJWT && c.SigningAlg == "" {
		return failf(api.CodeBadInput, "private_key_jwt needs the signing algorithm of the client's key (for example ES256 or RS256)")
	}
	if c.ClientMetadataURL != "" {
		u, err := url.Parse(c.ClientMetadataURL)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.Path == "" || u.Path == "/" || u.User != nil || u.Fragment != "" {
			return failf(api.CodeBadInput, "the client metadata document URL %q must be an https URL with a path (it becomes the client ID)", clean(c.ClientMetadataURL))
		}
	}
	if c.ClientMetadataURL != "" && c.ClientID != "" {
		return failf(api.CodeBadInput, "give a client ID or a client metadata document URL, not both")
	}
	return nil
}

// mcpChooseClient picks the client ID (MCP authorization, "Client
// Registration Approaches"), first that applies: the one the user gave;
// the one this profile registered with the same issuer before; a client
// ID metadata document where the server accepts them; registration (RFC
// 7591). Otherwise the user learns what they can supply.
func (e *Engine) mcpChooseClient(profile string, in *api.MCPClient, s *mcpServer, prev *record, grant, redirectURI string, scopes []string) (*mcpClient, *api.Error) {
	if in.ClientID != "" {
		c := &mcpClient{id: in.ClientID, secret: in.ClientSecret, signingAlg: in.SigningAlg, source: clientPreRegistered}
		if c.secret == "" && prev != nil && prev.Provider.ClientID == in.ClientID {
			c.secret = prev.ClientSecret // kept from the sign-in that brought it
		}
		return c, c.authMethod(in.TokenAuthMethod, s.ep.TokenAuthMethods)
	}
	if grant != api.GrantAuthorizationCode {
		return nil, failf(api.CodeBadInput, "the %s grant needs a client registered with %s: give its client ID with --client-id, and its secret (--client-secret-env) or private key (--private-key-file)",
			grant, s.ep.Issuer)
	}
	if prev != nil && prev.MCP != nil && prev.MCP.Client != clientPreRegistered &&
		(prev.MCP.Client != clientMetadataDocument || prev.Provider.ClientID == in.ClientMetadataURL) {
		// The caller dropped prev when its issuer was not this one.
		return &mcpClient{id: prev.Provider.ClientID, secret: prev.ClientSecret, method: prev.MCP.AuthMethod,
			signingAlg: prev.MCP.SigningAlg, source: prev.MCP.Client}, nil
	}
	if in.ClientMetadataURL != "" && s.metadataDocuments {
		return &mcpClient{id: in.ClientMetadataURL, method: mcpauth.AuthNone, source: clientMetadataDocument}, nil
	}
	if s.registration != "" {
		return e.mcpRegister(in, s, redirectURI, scopes)
	}
	return nil, failf(api.CodeBadInput, "the authorization server %s offers no client registration%s; %s",
		s.ep.Issuer, cimdNote(s, in), whatToSupply(s))
}

// authMethod settles how a pre-registered client authenticates: as asked,
// else private_key_jwt with a key, a secret-based method with a secret
// (client_secret_basic unless the server takes only post), none without.
func (c *mcpClient) authMethod(asked string, supported []string) *api.Error {
	switch {
	case asked != "":
		c.method = asked
	case c.signingAlg != "":
		c.method = mcpauth.AuthPrivateKeyJWT
	case c.secret != "":
		c.method = clientAuthMethod(supported)
	default:
		c.method = mcpauth.AuthNone
	}
	switch {
	case (c.method == mcpauth.AuthSecretBasic || c.method == mcpauth.AuthSecretPost) && c.secret == "":
		return failf(api.CodeBadInput, "%s needs the client's secret: put it in an environment variable and name it with --client-secret-env", c.method)
	case c.method == mcpauth.AuthPrivateKeyJWT && c.signingAlg == "":
		return failf(api.CodeBadInput, "private_key_jwt needs the client's private key: give it with --private-key-file")
	case c.method == mcpauth.AuthNone:
		c.secret = "" // never sent, so never stored
	}
	return nil
}

// mcpRegister registers a native client (RFC 7591 3). A refusal says what
// the user can supply instead.
func (e *Engine) mcpRegister(in *api.MCPClient, s *mcpServer, redirectURI string, scopes []string) (*mcpClient, *api.Error) {
	const what = "registering this client with the authorization server (RFC 7591)"
	if err := mcpauth.CheckURL("the registration endpoint", s.registration); err != nil {
		return nil, failf(api.CodeInvalidResp, "%s: %s; %s", what, clean(err.Error()), whatToSupply(s))
	}
	name := in.ClientName
	if name == "" {
		name = "wasmlogin"
	}
	body := mcpauth.RegistrationRequest(mcpauth.ClientMetadata{ClientName: name, RedirectURIs: []string{redirectURI},
		TokenAuthMethod: mcpauth.RegistrationAuthMethod(s.ep.TokenAuthMethods), Scope: strings.Join(scopes, " ")})
	resp, herr := e.host.HTTP(api.HTTPRequest{Method: "POST", URL: s.registration, Body: string(body),
		Headers: map[string][]string{"Content-Type": {"application/json"}, "Accept": {"application/json"}}})
	if herr != nil {
		return nil, hostFailure(what, herr)
	}
	if resp.Status != 200 && resp.Status != 201 {
		err := tokenresp.ParseErrorBody(resp.Status, header(resp, "Content-Type"), []byte(resp.Body))
		if tokenresp.IsTransient(err) {
			return nil, withRetryAfter(tokenFailure(what, err), resp)
		}
		f := tokenFailure(what, err)
		f.Code = api.CodeServer
		if len(s.tried) > 0 && s.legacy {
			f.Message += "; this server publishes no authorization metadata (tried " + strings.Join(s.tried, ", ") + "), so its default registration endpoint " + s.registration + " was used"
		}
		f.Message += "; " + whatToSupply(s)
		return nil, f
	}
	reg, perr := mcpauth.ParseRegistered([]byte(resp.Body))
	if perr != nil {
		return nil, failf(api.CodeInvalidResp, "%s: %s; %s", what, clean(perr.Error()), whatToSupply(s))
	}
	e.host.Notify("info", "Registered this client with "+s.ep.Issuer+" (client ID "+clean(reg.ClientID)+").")
	return &mcpClient{id: reg.ClientID, secret: reg.ClientSecret, method: reg.TokenAuthMethod, source: clientRegistered}, nil
}

func cimdNote(s *mcpServer, in *api.MCPClient) string {
	if in.ClientMetadataURL != "" && !s.metadataDocuments {
		return " and does not accept client ID metadata documents"
	}
	return ""
}

// whatToSupply tells the user what would let the sign-in go on.
func whatToSupply(s *mcpServer) string {
	msg := "give a client ID registered with " + s.ep.Issuer + " with --client-id (and its secret with --client-secret-env, if it has one)"
	if s.metadataDocuments {
		msg += ", or the https URL of your client's metadata document with --client-metadata-url"
	}
	return msg
}
