package api

// Version is the release of this plugin, the same as the Go module's tag
// (vVersion) and the Python and npm packages' versions.
const Version = "0.3.0"

// Contract is the version of the WIT package (wit/flow.wit) the plugin
// implements. Hosts compare it before any other call: the plugin's imports
// and payloads change between contracts, so a host for another one would
// fail in ways that are hard to read.
const Contract = "0.2.0"

// PluginInfo is the describe export's answer.
type PluginInfo struct {
	Version  string `json:"version"`
	Contract string `json:"contract"`
}
