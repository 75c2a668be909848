package mcpauth

import "slices"

// OfflineAccess is the scope that asks for a refresh token (OpenID Connect
// Core 11), which many authorization servers also use for plain OAuth.
const OfflineAccess = "offline_access"

// ScopeChoice is what the scope of an authorization request is chosen from.
type ScopeChoice struct {
	// Requested are the scopes the user or app asked for; they replace
	// the automatic choice.
	Requested []string
	// Challenge is the scope of the server's challenge.
	Challenge []string
	// ResourceSupported is scopes_supported of the protected resource
	// metadata.
	ResourceSupported []string
	// ServerSupported is scopes_supported of the authorization server.
	ServerSupported []string
	// Previous are the scopes of the sign-in being stepped up; with
	// StepUp, kept beside the new ones.
	Previous []string
	// StepUp: the server refused a token for lacking a scope (403
	// insufficient_scope, RFC 6750 3.1).
	StepUp bool
	// WantsRefresh: the grant can use a refresh token (authorization
	// code); client credentials renew by asking again.
	WantsRefresh bool
}

// Scopes picks the scope of an authorization request (MCP authorization,
// "Scope Selection Strategy"): the user's own choice, else the challenge's
// scope, else the resource's scopes_supported, else none (the parameter is
// then left out and the server applies its default). A step-up keeps the
// scopes the sign-in already had and adds the challenge's ("Scope Challenge
// Handling"), so the new token does not lose what the old one could do.
// offline_access is added only where the authorization server lists it,
// so a server that does not know it is never asked for it.
func Scopes(c ScopeChoice) []string {
	var base []string
	switch {
	case len(c.Requested) > 0:
		base = c.Requested
	case len(c.Challenge) > 0:
		base = c.Challenge
	default:
		base = c.ResourceSupported
	}
	var out []string
	if c.StepUp {
		out = appendNew(out, c.Previous...)
	}
	out = appendNew(out, base...)
	if c.StepUp {
		out = appendNew(out, c.Challenge...)
	}
	if c.WantsRefresh && slices.Contains(c.ServerSupported, OfflineAccess) {
		out = appendNew(out, OfflineAccess)
	}
	return out
}

// Covered reports whether every scope in need is in have.
func Covered(need, have []string) bool {
	for _, s := range need {
		if !slices.Contains(have, s) {
			return false
		}
	}
	return true
}

func appendNew(out []string, scopes ...string) []string {
	for _, s := range scopes {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
