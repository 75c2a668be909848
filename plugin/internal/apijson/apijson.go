// Package apijson is the plugin's side of the JSON in plugin/api: one
// jsonv.Field table per payload type, used to decode what the plugin reads
// and encode what it writes, instead of encoding/json's reflection, which
// made the plugin much larger. The host keeps using encoding/json with
// api's struct tags; the tests hold both sides to the same bytes.
//
// Decoding follows encoding/json's rules (unknown members ignored, null
// leaves a field alone, a wrong type is an error) except that member names
// match exactly, not case-insensitively: the host writes them exactly.
package apijson

import (
	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/internal/jsonv"
)

// Unmarshal parses data and decodes it into out; see Fields.
func Unmarshal(data []byte, out any) error {
	v, err := jsonv.Parse(data)
	if err != nil {
		return err
	}
	return Decode(v, out)
}

// Decode stores v into out; see Fields.
func Decode(v jsonv.Value, out any) error { return v.DecodeFields(Fields(out)) }

// Marshal encodes v with the bytes encoding/json would produce from its
// struct tags: same member order, same omitempty, same escaping.
func Marshal(v any) []byte {
	var w jsonv.Writer
	Write(&w, v)
	return w.B
}

// Write is Marshal into w.
func Write(w *jsonv.Writer, v any) { w.Object(Fields(v)) }

// Fields describes the JSON of p, a pointer to a payload type of package
// api, in the order of its struct fields. Another type is a programming
// error and panics, which the export adapter reports as "internal".
func Fields(p any) []jsonv.Field {
	switch p := p.(type) {
	case *api.Error:
		return []jsonv.Field{
			jsonv.Always("code", &p.Code),
			jsonv.Always("message", &p.Message),
			jsonv.OmitEmpty("server_error", &p.ServerError),
			jsonv.OmitEmpty("server_description", &p.ServerDescription),
			jsonv.OmitEmpty("retry_after_seconds", &p.RetryAfterSeconds),
		}
	case *api.HTTPRequest:
		return []jsonv.Field{
			jsonv.Always("method", &p.Method),
			jsonv.Always("url", &p.URL),
			jsonv.OmitEmpty("headers", &p.Headers),
			jsonv.OmitEmpty("body", &p.Body),
		}
	case *api.HTTPResponse:
		return []jsonv.Field{
			jsonv.Always("status", &p.Status),
			jsonv.Always("headers", &p.Headers),
			jsonv.Always("body", &p.Body),
		}
	case *api.OpenBrowserRequest:
		return []jsonv.Field{jsonv.Always("url", &p.URL)}
	case *api.OpenBrowserResult:
		return []jsonv.Field{jsonv.Always("opened", &p.Opened)}
	case *api.NotifyRequest:
		return []jsonv.Field{jsonv.Always("level", &p.Level), jsonv.Always("message", &p.Message)}
	case *api.PromptRequest:
		return []jsonv.Field{jsonv.Always("message", &p.Message), jsonv.Always("secret", &p.Secret)}
	case *api.PromptResult:
		return []jsonv.Field{jsonv.Always("value", &p.Value)}
	case *api.SecretKey:
		return []jsonv.Field{jsonv.Always("key", &p.Key)}
	case *api.SecretValue:
		return []jsonv.Field{jsonv.Always("key", &p.Key), jsonv.Always("value", &p.Value)}
	case *api.SecretLookup:
		return []jsonv.Field{jsonv.Always("found", &p.Found), jsonv.OmitEmpty("value", &p.Value)}
	case *api.Empty:
		return nil
	case *api.Provider:
		return providerFields(p)
	case *api.ProfileRef:
		return profileRefFields(p)
	case *api.LoginBeginInput:
		return append(profileRefFields(&p.ProfileRef),
			jsonv.Always("redirect_uri", &p.RedirectURI),
			jsonv.Always("open_browser", &p.OpenBrowser))
	case *api.LoginBegun:
		return loginBegunFields(p)
	case *api.LoginCompleteInput:
		return []jsonv.Field{jsonv.Always("flow_id", &p.FlowID), jsonv.Always("callback_url", &p.CallbackURL)}
	case *api.Session:
		return sessionFields(p)
	case *api.TokenInput:
		return append(profileRefFields(&p.ProfileRef), jsonv.OmitEmpty("force_refresh", &p.ForceRefresh))
	case *api.TokenResult:
		return tokenResultFields(p)
	case *api.ServedToken:
		return []jsonv.Field{
			jsonv.Always("profile", &p.Profile),
			jsonv.Always("access_token", &p.AccessToken),
			jsonv.Always("token_type", &p.TokenType),
			jsonv.OmitEmpty("expires_at", &p.ExpiresAt),
			jsonv.Always("serve_until", &p.ServeUntil),
		}
	case *api.LogoutResult:
		return []jsonv.Field{jsonv.Always("profile", &p.Profile), jsonv.Always("removed", &p.Removed),
			jsonv.OmitEmpty("revoked", &p.Revoked), jsonv.OmitEmpty("revocation_note", &p.RevocationNote)}
	case *api.LoginChooseInput:
		return append(profileRefFields(&p.ProfileRef),
			jsonv.OmitEmpty("prefer", &p.Prefer),
			jsonv.Always("browser_usable", &p.BrowserUsable),
			jsonv.OmitEmpty("remote", &p.Remote))
	case *api.LoginChoice:
		return []jsonv.Field{jsonv.Always("flow", &p.Flow), jsonv.Always("reason", &p.Reason)}
	case *api.DeviceBeginInput:
		return append(profileRefFields(&p.ProfileRef), jsonv.Always("open_browser", &p.OpenBrowser))
	case *api.DeviceBegun:
		return []jsonv.Field{
			jsonv.Always("flow_id", &p.FlowID),
			jsonv.Always("profile", &p.Profile),
			jsonv.Always("user_code", &p.UserCode),
			jsonv.Always("verification_uri", &p.VerificationURI),
			jsonv.OmitEmpty("verification_uri_complete", &p.VerificationURIComplete),
			jsonv.Always("expires_in", &p.ExpiresIn),
			jsonv.Always("interval", &p.Interval),
			jsonv.Always("browser_opened", &p.BrowserOpened),
		}
	case *api.DevicePollInput:
		return []jsonv.Field{jsonv.Always("flow_id", &p.FlowID)}
	case *api.DevicePoll:
		return []jsonv.Field{
			jsonv.Always("status", &p.Status),
			jsonv.OmitEmpty("wait_seconds", &p.WaitSeconds),
			jsonv.OmitEmpty("expires_in", &p.ExpiresIn),
			jsonv.OmitEmpty("session", jsonv.Pointer(&p.Session, sessionFields)),
			jsonv.OmitEmpty("message", &p.Message),
		}
	case *api.ClientCredentialsInput:
		return append(profileRefFields(&p.ProfileRef), jsonv.OmitEmpty("auth_method", &p.AuthMethod))
	case *api.TokenExchangeInput:
		return append(profileRefFields(&p.ProfileRef),
			jsonv.OmitEmpty("subject_token", &p.SubjectToken),
			jsonv.OmitEmpty("subject_profile", &p.SubjectProfile),
			jsonv.OmitEmpty("subject_token_type", &p.SubjectTokenType),
			jsonv.OmitEmpty("audience", &p.Audience),
			jsonv.OmitEmpty("resource", &p.Resource),
			jsonv.OmitEmpty("scopes", &p.Scopes),
			jsonv.OmitEmpty("requested_token_type", &p.RequestedTokenType))
	case *api.TokenExchangeResult:
		return []jsonv.Field{
			jsonv.Always("access_token", &p.AccessToken),
			jsonv.Always("issued_token_type", &p.IssuedTokenType),
			jsonv.Always("token_type", &p.TokenType),
			jsonv.OmitEmpty("expires_at", &p.ExpiresAt),
			jsonv.OmitEmpty("scope", &p.Scope),
		}
	case *api.PluginInfo:
		return []jsonv.Field{jsonv.Always("version", &p.Version), jsonv.Always("contract", &p.Contract)}
	case *api.UserinfoResult:
		return []jsonv.Field{jsonv.Always("profile", &p.Profile), jsonv.Always("claims", &p.Claims)}
	case *api.PublicJWK:
		return publicJWKFields(p)
	case *api.VerifySignatureRequest:
		return []jsonv.Field{
			jsonv.Always("alg", &p.Alg),
			jsonv.Always("jwk", publicJWKFields(&p.JWK)),
			jsonv.Always("message", &p.Message),
			jsonv.Always("signature", &p.Signature),
		}
	case *api.VerifySignatureResult:
		return []jsonv.Field{jsonv.Always("valid", &p.Valid)}
	case *api.SignRequest:
		return []jsonv.Field{jsonv.Always("alg", &p.Alg), jsonv.Always("profile", &p.Profile), jsonv.Always("message", &p.Message)}
	case *api.SignResult:
		return []jsonv.Field{jsonv.Always("signature", &p.Signature)}
	case *api.MCPAuthorizeInput:
		return mcpAuthorizeInputFields(p)
	case *api.MCPChallenge:
		return mcpChallengeFields(p)
	case *api.MCPClient:
		return mcpClientFields(p)
	case *api.MCPIdentityAssertion:
		return mcpIdentityAssertionFields(p)
	case *api.MCPAuthorized:
		return []jsonv.Field{
			jsonv.Always("profile", &p.Profile),
			jsonv.Always("issuer", &p.Issuer),
			jsonv.OmitEmpty("token", jsonv.Pointer(&p.Token, tokenResultFields)),
			jsonv.OmitEmpty("login", jsonv.Pointer(&p.Login, loginBegunFields)),
		}
	}
	panic("apijson: not an api payload type")
}

func publicJWKFields(p *api.PublicJWK) []jsonv.Field {
	return []jsonv.Field{
		jsonv.Always("kty", &p.Kty),
		jsonv.OmitEmpty("crv", &p.Crv),
		jsonv.OmitEmpty("n", &p.N),
		jsonv.OmitEmpty("e", &p.E),
		jsonv.OmitEmpty("x", &p.X),
		jsonv.OmitEmpty("y", &p.Y),
	}
}

func sessionFields(p *api.Session) []jsonv.Field {
	return []jsonv.Field{
		jsonv.Always("profile", &p.Profile),
		jsonv.OmitEmpty("issuer", &p.Issuer),
		jsonv.Always("client_id", &p.ClientID),
		jsonv.OmitEmpty("subject", &p.Subject),
		jsonv.OmitEmpty("scopes", &p.Scopes),
		jsonv.OmitEmpty("expires_at", &p.ExpiresAt),
		jsonv.Always("has_refresh_token", &p.HasRefreshToken),
		jsonv.OmitEmpty("claims", &p.Claims),
		jsonv.OmitEmpty("resource", &p.Resource),
	}
}

func loginBegunFields(p *api.LoginBegun) []jsonv.Field {
	return []jsonv.Field{
		jsonv.Always("flow_id", &p.FlowID),
		jsonv.Always("profile", &p.Profile),
		jsonv.Always("authorization_url", &p.AuthorizationURL),
		jsonv.Always("browser_opened", &p.BrowserOpened),
	}
}

func tokenResultFields(p *api.TokenResult) []jsonv.Field {
	return []jsonv.Field{
		jsonv.Always("profile", &p.Profile),
		jsonv.Always("access_token", &p.AccessToken),
		jsonv.Always("token_type", &p.TokenType),
		jsonv.OmitEmpty("expires_at", &p.ExpiresAt),
		jsonv.Always("refreshed", &p.Refreshed),
	}
}

func mcpAuthorizeInputFields(p *api.MCPAuthorizeInput) []jsonv.Field {
	return []jsonv.Field{
		jsonv.Always("server_url", &p.ServerURL),
		jsonv.OmitEmpty("challenge", jsonv.Pointer(&p.Challenge, mcpChallengeFields)),
		jsonv.OmitEmpty("attempt", &p.Attempt),
		jsonv.OmitEmpty("client", jsonv.Pointer(&p.Client, mcpClientFields)),
		jsonv.OmitEmpty("grant", &p.Grant),
		jsonv.OmitEmpty("identity_assertion", jsonv.Pointer(&p.IdentityAssertion, mcpIdentityAssertionFields)),
		jsonv.OmitEmpty("scopes", &p.Scopes),
		jsonv.OmitEmpty("redirect_uri", &p.RedirectURI),
		jsonv.Always("open_browser", &p.OpenBrowser),
	}
}

func providerFields(p *api.Provider) []jsonv.Field {
	return []jsonv.Field{
		jsonv.OmitEmpty("issuer", &p.Issuer),
		jsonv.Always("client_id", &p.ClientID),
		jsonv.OmitEmpty("scopes", &p.Scopes),
		jsonv.OmitEmpty("authorization_endpoint", &p.AuthorizationEndpoint),
		jsonv.OmitEmpty("token_endpoint", &p.TokenEndpoint),
		jsonv.OmitEmpty("jwks_uri", &p.JWKSURI),
		jsonv.OmitEmpty("device_authorization_endpoint", &p.DeviceAuthorizationEndpoint),
		jsonv.OmitEmpty("revocation_endpoint", &p.RevocationEndpoint),
		jsonv.OmitEmpty("extra_auth_params", &p.ExtraAuthParams),
		jsonv.OmitEmpty("client_secret", &p.ClientSecret),
		jsonv.OmitEmpty("prompt_client_secret", &p.PromptClientSecret),
		jsonv.OmitEmpty("scope_separator", &p.ScopeSeparator),
		jsonv.OmitEmpty("token_auth_method", &p.TokenAuthMethod),
	}
}

// profileRefFields are also those of the structs that embed ProfileRef:
// encoding/json flattens embedded structs into the outer object.
func profileRefFields(r *api.ProfileRef) []jsonv.Field {
	return []jsonv.Field{
		jsonv.OmitEmpty("profile", &r.Profile),
		jsonv.OmitEmpty("provider", jsonv.Pointer(&r.Provider, providerFields)),
	}
}

func mcpChallengeFields(c *api.MCPChallenge) []jsonv.Field {
	return []jsonv.Field{jsonv.Always("status", &c.Status), jsonv.Always("www_authenticate", &c.WWWAuthenticate)}
}

func mcpClientFields(c *api.MCPClient) []jsonv.Field {
	return []jsonv.Field{
		jsonv.OmitEmpty("client_id", &c.ClientID),
		jsonv.OmitEmpty("client_secret", &c.ClientSecret),
		jsonv.OmitEmpty("client_metadata_url", &c.ClientMetadataURL),
		jsonv.OmitEmpty("token_auth_method", &c.TokenAuthMethod),
		jsonv.OmitEmpty("signing_alg", &c.SigningAlg),
		jsonv.OmitEmpty("client_name", &c.ClientName),
	}
}

func mcpIdentityAssertionFields(a *api.MCPIdentityAssertion) []jsonv.Field {
	return []jsonv.Field{
		jsonv.Always("idp_token_endpoint", &a.IdPTokenEndpoint),
		jsonv.Always("id_token", &a.IDToken),
		jsonv.OmitEmpty("idp_client_id", &a.IdPClientID),
		jsonv.OmitEmpty("idp_client_secret", &a.IdPClientSecret),
	}
}
