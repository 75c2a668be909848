package engine

import (
	"errors"

	"github.com/wasmlogin/wasmlogin/host/secretstore"
	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// secretFailure is the reply of a secret host function whose store
// failed: "denied" when the host's scope refused the key (a profile this
// instance was not started for, secretstore.Scoped), "unavailable" when
// the store could not do what was asked.
func secretFailure(err error) api.Reply[api.Empty] {
	if errors.Is(err, secretstore.ErrDenied) {
		return fail(api.HostDenied, err.Error())
	}
	return fail(api.HostUnavailable, err.Error())
}
