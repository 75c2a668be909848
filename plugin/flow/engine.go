package flow

import (
	"time"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// Engine runs the flows for one plugin instance. Pending browser logins live
// in its memory between login_begin and login_complete, so the verifier and
// nonce never leave the sandbox.
type Engine struct {
	host    Host
	now     func() time.Time
	pending map[string]*pendingLogin
	// devices are started device sign-ins; the device code stays here.
	devices map[string]*pendingDevice
	// metadata caches discovery documents, so that login_choose and the
	// flow it picks fetch them once (see discover_cache.go).
	metadata map[string]cachedMetadata
	// hostTrust is the verdict of the signature self-test, by alg: nil when
	// the host passed (see hosttrust.go).
	hostTrust map[string]*api.Error
}

// Tunables that are part of the documented behaviour.
const (
	// AccessTokenSkew: a stored access token is handed out only while it
	// stays valid at least this long, so a caller does not get a token that
	// dies in flight.
	AccessTokenSkew = 30 * time.Second
	// IDTokenSkew tolerates clock drift between this machine and the server
	// when checking exp and iat of ID tokens.
	IDTokenSkew = 2 * time.Minute
	// pendingLifetime bounds how long a started browser login may wait.
	pendingLifetime = 15 * time.Minute
)

// New returns an Engine that talks to host and reads the clock with now.
func New(host Host, now func() time.Time) *Engine {
	return &Engine{host: host, now: now, pending: map[string]*pendingLogin{},
		devices: map[string]*pendingDevice{}, metadata: map[string]cachedMetadata{}, hostTrust: map[string]*api.Error{}}
}

// resolveProfile picks the profile name for a call: explicit, derived from the
// provider, or the default (the last one signed in).
func (e *Engine) resolveProfile(ref api.ProfileRef) (string, *api.Error) {
	switch {
	case ref.Profile != "":
		return ref.Profile, nil
	case ref.Provider != nil && ref.Provider.ClientID != "":
		return DeriveProfile(ref.Provider), nil
	}
	name, found, herr := e.host.SecretGet(defaultProfileKey)
	if herr != nil {
		return "", storageFailure(herr)
	}
	if !found || name == "" {
		return "", failf(api.CodeLoginRequired, "no profile given and none signed in yet; run login with --issuer and --client-id")
	}
	return name, nil
}
