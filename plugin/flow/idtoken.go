package flow

import (
	"errors"

	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/idtoken"
)

// verifyIDToken checks an ID token against the issuer's current keys. An
// unknown kid means the server rotated its keys: the JWKS is fetched once
// more, never more, so a forged kid cannot make us hammer the server.
func (e *Engine) verifyIDToken(r *record, raw, nonce string) (*idtoken.Claims, *api.Error) {
	if r.Endpoints.JWKS == "" || r.Endpoints.Issuer == "" {
		return nil, failf(api.CodeIDToken, "the server sent an ID token but no JWKS URI and issuer are known to check it; configure --issuer")
	}
	opts := idtoken.Options{Verifier: hostVerifier{e}, Issuer: r.Endpoints.Issuer, ClientID: r.Provider.ClientID,
		Nonce: nonce, Now: e.now(), Skew: IDTokenSkew}
	var lastErr error
	for attempt := 0; attempt < 2; attempt++ {
		keys, kerr := e.fetchJWKS(r.Endpoints.JWKS)
		if kerr != nil {
			return nil, kerr
		}
		claims, err := idtoken.Verify(raw, keys, opts)
		if err == nil {
			return claims, nil
		}
		if herr, ok := errors.AsType[*api.Error](err); ok {
			// The host's crypto did not answer, or failed its self-test:
			// that says nothing about the token.
			if herr.Code == api.CodeUntrustedHost {
				return nil, herr
			}
			return nil, hostFailure("checking the ID token's signature", herr)
		}
		lastErr = err
		if !errors.Is(err, idtoken.ErrUnknownKey) {
			break
		}
	}
	return nil, failf(api.CodeIDToken, "the ID token was rejected: %v", lastErr)
}

func (e *Engine) fetchJWKS(u string) (*idtoken.KeySet, *api.Error) {
	resp, herr := e.get(u, "application/json")
	if herr != nil {
		return nil, hostFailure("fetching the signing keys", herr)
	}
	if resp.Status >= 500 {
		return nil, failf(api.CodeTransient, "fetching the signing keys from %s: HTTP %d; try again later", u, resp.Status)
	}
	if resp.Status != 200 {
		return nil, failf(api.CodeInvalidResp, "fetching the signing keys from %s: HTTP %d", u, resp.Status)
	}
	keys, err := idtoken.ParseJWKS([]byte(resp.Body))
	if err != nil {
		return nil, failf(api.CodeInvalidResp, "the signing keys at %s: %v", u, err)
	}
	return keys, nil
}
