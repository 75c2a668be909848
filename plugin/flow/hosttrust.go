package flow

import (
	"github.com/wasmlogin/wasmlogin/plugin/api"
	"github.com/wasmlogin/wasmlogin/plugin/internal/knownanswer"
)

// hostVerifier is idtoken.Verifier on the host's verify_signature. The
// plugin decides everything about a signature but the arithmetic, which
// the host's platform crypto does (wit/flow.wit, interface crypto). It
// does not take that on faith: before the first answer for an algorithm
// counts, the host must verify that algorithm's known valid signature and
// refuse its tampered one (package knownanswer). A host that gets either
// wrong, a stub that says yes to everything or a binding that refuses
// every key, would get real tokens wrong too, so this instance then
// refuses every token of that algorithm with untrusted_host.
//
// This catches broken hosts, not deceitful ones: a host built to lie could
// recognise the known answers, but such a host also holds the network and
// the secret store, so no check inside the plugin could stand against it.
type hostVerifier struct{ e *Engine }

func (v hostVerifier) VerifySignature(req api.VerifySignatureRequest) (bool, *api.Error) {
	if err := v.e.trustHostFor(req.Alg); err != nil {
		return false, err
	}
	return v.e.host.VerifySignature(req)
}

// trustHostFor runs alg's self-test once per Engine and keeps the verdict:
// nil when the host passed, an untrusted_host error when it failed. A host
// error other than bad_input (the host could not answer at all) is not a
// verdict; it is returned and the test runs again next time.
func (e *Engine) trustHostFor(alg string) *api.Error {
	if verdict, known := e.hostTrust[alg]; known {
		return verdict
	}
	vec, ok := knownanswer.For(alg)
	if !ok {
		return failf(api.CodeInternal, "no known-answer vector for %s (programming error)", alg)
	}
	valid, verr := e.host.VerifySignature(vec.Request(vec.Valid))
	if verr != nil && verr.Code != api.CodeBadInput {
		return verr
	}
	tampered, terr := e.host.VerifySignature(vec.Request(vec.Tampered))
	if terr != nil && terr.Code != api.CodeBadInput {
		return terr
	}
	var verdict *api.Error
	switch {
	case verr != nil:
		verdict = untrustedHost(alg, "refused a valid "+alg+" signature as unusable ("+clean(verr.Message)+")")
	case !valid:
		verdict = untrustedHost(alg, "said a valid "+alg+" signature is invalid")
	case terr == nil && tampered:
		verdict = untrustedHost(alg, "accepted a tampered "+alg+" signature")
	}
	e.hostTrust[alg] = verdict
	return verdict
}

func untrustedHost(alg, what string) *api.Error {
	return failf(api.CodeUntrustedHost, "the host cannot be trusted to check %s signatures: its verify_signature %s "+
		"in the plugin's known-answer self-test; nothing was accepted or stored. The host must be fixed "+
		"(see verify_signature in wit/EMBEDDING.md)", alg, what)
}
