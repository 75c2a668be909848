package flow

import (
	"bytes"
	"errors"
	"strconv"
	"strings"

	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/internal/jsonv"
	"github.com/wasmlogin/wasmlogin/plugin/tokenresp"
)

// Userinfo asks the OIDC userinfo endpoint about a profile, with the
// profile's current access token (renewed first when it is about to
// expire, as `token` would). The answer must be about the user the ID
// token named (OIDC Core 5.3.2), else it is rejected.
func (e *Engine) Userinfo(ref api.ProfileRef) (*api.UserinfoResult, *api.Error) {
	profile, perr := e.resolveProfile(ref)
	if perr != nil {
		return nil, perr
	}
	r, lerr := e.loadRecord(profile)
	if lerr != nil {
		return nil, lerr
	}
	if r.Grant == grantClientCredentials {
		return nil, failf(api.CodeBadInput, "profile %q is a client signed in as itself (client credentials): there is no user to ask the userinfo endpoint about", profile)
	}
	if r.Endpoints.Userinfo == "" {
		return nil, failf(api.CodeInvalidResp, "the server of profile %q names no userinfo endpoint (it is not an OpenID provider, or its discovery document leaves it out)", profile)
	}
	tokIn := api.TokenInput{ProfileRef: api.ProfileRef{Profile: profile}}
	tok, terr := e.Token(tokIn)
	if terr != nil {
		return nil, terr
	}
	resp, herr := e.fetchUserinfo(r.Endpoints.Userinfo, tok.AccessToken)
	if herr == nil && resp.Status == 401 && !tok.Refreshed && (r.Token.RefreshToken != "" || r.Grant == grantClientCredentials) {
		// Refused before its expiry (revoked, or the server restarted):
		// one renewal and one more try, as `token --force-refresh` would.
		tokIn.ForceRefresh = true
		if tok, terr = e.Token(tokIn); terr != nil {
			return nil, terr
		}
		resp, herr = e.fetchUserinfo(r.Endpoints.Userinfo, tok.AccessToken)
	}
	if herr != nil {
		return nil, hostFailure("asking the userinfo endpoint", herr)
	}
	claims, cerr := userinfoClaims(resp)
	if cerr != nil {
		return nil, cerr
	}
	if err := sameSubject(r.Claims, claims); err != nil {
		return nil, err
	}
	return &api.UserinfoResult{Profile: profile, Claims: claims}, nil
}

func (e *Engine) fetchUserinfo(endpoint, accessToken string) (*api.HTTPResponse, *api.Error) {
	return e.host.HTTP(api.HTTPRequest{Method: "GET", URL: endpoint, Headers: map[string][]string{
		"Authorization": {"Bearer " + accessToken}, "Accept": {"application/json"}}})
}

// userinfoClaims reads a 200 answer's JSON object, and says what a refusal
// means for the user.
func userinfoClaims(resp *api.HTTPResponse) (map[string]any, *api.Error) {
	ct := header(resp, "Content-Type")
	mt, _, _ := strings.Cut(strings.ToLower(ct), ";")
	mt = strings.TrimSpace(mt)
	if resp.Status != 200 {
		return nil, userinfoRefusal(resp, ct)
	}
	body := bytes.TrimSpace([]byte(resp.Body))
	switch {
	case mt == "application/jwt":
		return nil, failf(api.CodeInvalidResp, "the userinfo endpoint answered with a signed or encrypted JWT (application/jwt), which is not supported yet; register the client for plain JSON userinfo responses")
	case mt == "application/json" || strings.HasSuffix(mt, "+json") || (mt == "" && len(body) > 0 && body[0] == '{'):
	default:
		return nil, failf(api.CodeInvalidResp, "the userinfo endpoint answered with content type %q instead of JSON", clean(mt))
	}
	v, err := jsonv.Parse(body)
	if err != nil || v.Kind() != jsonv.KindObject {
		return nil, failf(api.CodeInvalidResp, "the userinfo endpoint's answer is not a JSON object")
	}
	return v.Any().(map[string]any), nil
}

// userinfoRefusal reads RFC 6750 3's WWW-Authenticate error, or an OAuth
// error body, from a refused userinfo request.
func userinfoRefusal(resp *api.HTTPResponse, ct string) *api.Error {
	code, desc := bearerError(header(resp, "WWW-Authenticate"))
	if code == "" {
		if se, ok := errors.AsType[*tokenresp.ServerError](tokenresp.ParseErrorBody(resp.Status, ct, []byte(resp.Body))); ok {
			code, desc = se.Code, se.Description
		}
	}
	why := "HTTP " + strconv.Itoa(resp.Status)
	if code != "" {
		why = code
		if desc != "" {
			why += " (" + desc + ")"
		}
	}
	e := &api.Error{Code: api.CodeServer, ServerError: code, ServerDescription: desc,
		Message: "the userinfo endpoint refused the request: " + why}
	switch {
	case resp.Status == 401 || code == "invalid_token":
		e.Code = api.CodeLoginRequired
		e.Message += "; the access token is not accepted, run login again"
	case code == "insufficient_scope" || resp.Status == 403:
		e.Message += "; log in again with scope openid (and profile or email for those claims)"
	case resp.Status >= 500 || resp.Status == 429:
		e.Code = api.CodeTransient
		e.Message += "; try again later"
	}
	return e
}

// bearerError extracts error and error_description from a Bearer
// challenge: `Bearer realm="x", error="invalid_token", error_description="..."`.
func bearerError(h string) (code, desc string) {
	return authParam(h, "error"), authParam(h, "error_description")
}

// authParam finds name=value or name="quoted value" in a challenge.
func authParam(h, name string) string {
	lower := strings.ToLower(h)
	for i := 0; i < len(h); {
		j := strings.Index(lower[i:], name+"=")
		if j < 0 {
			return ""
		}
		j += i
		if j > 0 && !strings.ContainsRune(" ,\t", rune(h[j-1])) {
			i = j + 1
			continue
		}
		v := h[j+len(name)+1:]
		if strings.HasPrefix(v, `"`) {
			v = v[1:]
			if end := strings.IndexByte(v, '"'); end >= 0 {
				v = v[:end]
			}
		} else if end := strings.IndexAny(v, ", "); end >= 0 {
			v = v[:end]
		}
		return clean(v)
	}
	return ""
}

// sameSubject enforces OIDC Core 5.3.2: the userinfo sub MUST equal the
// ID token's, or the answer may be about someone else (token substitution).
func sameSubject(idClaims, userinfo map[string]any) *api.Error {
	want, _ := idClaims["sub"].(string)
	if want == "" {
		return nil // no ID token to compare with (plain OAuth sign-in)
	}
	got, _ := userinfo["sub"].(string)
	if got == "" {
		return failf(api.CodeInvalidResp, "the userinfo answer has no sub claim, which OpenID Connect Core 5.3.2 requires; it was rejected")
	}
	if got != want {
		return failf(api.CodeInvalidResp, "the userinfo answer is about another user (sub %q, but the ID token's is %q); it was rejected (OpenID Connect Core 5.3.2)", clean(got), clean(want))
	}
	return nil
}
