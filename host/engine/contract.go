package engine

import (
	"context"
	"fmt"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// checkContract asks a new instance which contract (version of wit/flow.wit)
// it implements and refuses one this host was not written for. A plugin of
// another contract imports other host functions and sends other payloads;
// refusing it up front, naming both versions, beats a failure halfway
// through a sign-in. The host's own contract is api.Contract, the plugin
// package it is built with.
func checkContract(ctx context.Context, i *Instance) error {
	info, err := call[api.PluginInfo](ctx, i, "describe", api.Empty{})
	if err != nil {
		return fmt.Errorf("this module does not describe itself as a wasmlogin flow plugin (%v); this host needs one of contract %s", err, api.Contract)
	}
	if info.Contract != api.Contract {
		return fmt.Errorf("the flow plugin %s implements contract %s, but this host speaks contract %s; use a plugin and a host of the same contract", info.Version, info.Contract, api.Contract)
	}
	return nil
}
