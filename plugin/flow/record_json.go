package flow

import (
	"github.com/wasmlogin/wasmlogin/plugin/internal/apijson"
	"github.com/wasmlogin/wasmlogin/plugin/internal/jsonv"
)

// recordFields is the stored record's JSON (see package jsonv for why it is
// not encoding/json). It must keep the shape encoding/json made of record's
// tags: records that earlier versions stored are read back. Claims numbers
// stay jsonv.Number literals, where encoding/json rounded them to float64.
func recordFields(r *record) []jsonv.Field {
	ep, t := &r.Endpoints, &r.Token
	return []jsonv.Field{
		jsonv.Always("v", &r.Version),
		jsonv.Always("provider", apijson.Fields(&r.Provider)),
		jsonv.Always("endpoints", []jsonv.Field{
			jsonv.OmitEmpty("issuer", &ep.Issuer),
			jsonv.Always("authorization", &ep.Authorization),
			jsonv.Always("token", &ep.Token),
			jsonv.OmitEmpty("jwks", &ep.JWKS),
			jsonv.OmitEmpty("userinfo", &ep.Userinfo),
			jsonv.OmitEmpty("revocation", &ep.Revocation),
			jsonv.OmitEmpty("iss_parameter", &ep.IssParameter),
			jsonv.OmitEmpty("token_auth_methods", &ep.TokenAuthMethods),
			jsonv.OmitEmpty("oidc", &ep.OIDC),
		}),
		jsonv.OmitEmpty("client_secret", &r.ClientSecret),
		jsonv.OmitEmpty("grant", &r.Grant),
		jsonv.Always("token", []jsonv.Field{
			jsonv.Always("access_token", &t.AccessToken),
			jsonv.Always("token_type", &t.TokenType),
			jsonv.OmitEmpty("refresh_token", &t.RefreshToken),
			jsonv.OmitEmpty("id_token", &t.IDToken),
			jsonv.OmitEmpty("scope", &t.Scope),
			jsonv.OmitEmpty("expires_at", &t.ExpiresAt),
		}),
		jsonv.OmitEmpty("claims", &r.Claims),
		jsonv.OmitEmpty("resource", &r.Resource),
		jsonv.OmitEmpty("mcp", jsonv.Pointer(&r.MCP, func(m *mcpState) []jsonv.Field {
			return []jsonv.Field{
				jsonv.Always("server", &m.Server),
				jsonv.Always("client", &m.Client),
				jsonv.Always("auth_method", &m.AuthMethod),
				jsonv.OmitEmpty("signing_alg", &m.SigningAlg),
				jsonv.Always("grant", &m.Grant),
			}
		})),
	}
}

func encodeRecord(r *record) []byte {
	var w jsonv.Writer
	w.Object(recordFields(r))
	return w.B
}

// decodeRecord allows one level of nesting more than jsonv.Parse, because
// the claims in the record were parsed from the ID token with that limit.
func decodeRecord(data []byte) (*record, error) {
	v, err := jsonv.ParseDepth(data, jsonv.MaxDepth+1)
	if err != nil {
		return nil, err
	}
	r := &record{}
	return r, v.DecodeFields(recordFields(r))
}
