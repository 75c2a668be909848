// Package presets is configuration data for well-known providers: their
// endpoints, default scopes, redirect host and extra authorization
// parameters, each value with the provider's documentation beside it.
// `host login --provider NAME` starts from a preset; every explicit flag
// wins over it. Presets hold no flow logic: what a provider's answers mean
// is decided by the plugin for every server alike.
package presets

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/wasmlogin/wasmlogin/plugin/api"
)

// Preset is one provider's configuration.
type Preset struct {
	Name  string // the --provider value
	Title string // for messages
	// Issuer enables discovery. "{tenant}" in it is replaced by the tenant
	// (Microsoft).
	Issuer string
	// Endpoints for providers without discovery.
	AuthorizationEndpoint       string
	TokenEndpoint               string
	DeviceAuthorizationEndpoint string
	// Origins are further origins the provider's documented endpoints live
	// on, which the host allows up front because discovery cannot teach
	// them: the host learns only from a document naming the configured
	// issuer, and some issuers' documents name another (Microsoft's
	// tenant aliases).
	Origins         []string
	Scopes          []string
	AuthParams      map[string]string
	ScopeSeparator  string // see api.Provider.ScopeSeparator
	TokenAuthMethod string // see api.Provider.TokenAuthMethod
	// RedirectHost is the loopback host the provider accepts ("" = 127.0.0.1).
	RedirectHost string
	// DefaultTenant fills "{tenant}" when the user names none.
	DefaultTenant string
	// SecretRequired: the provider's token endpoint refuses the browser
	// flow's code exchange without the client secret.
	SecretRequired bool
	// DeviceWithoutSecret: its device flow needs no secret (GitHub).
	DeviceWithoutSecret bool
	// Register is where a developer registers the client (for messages).
	Register string
}

var all = map[string]*Preset{
	github.Name: &github, google.Name: &google, microsoft.Name: &microsoft,
	gitlab.Name: &gitlab, strava.Name: &strava,
}

// Names lists the presets, sorted.
func Names() []string { return slices.Sorted(maps.Keys(all)) }

// Lookup finds a preset by its --provider name (case does not matter).
func Lookup(name string) (*Preset, error) {
	if p, ok := all[strings.ToLower(name)]; ok {
		return p, nil
	}
	return nil, fmt.Errorf("--provider %q is not known; use one of %s, or give --issuer (or --auth-url and --token-url) yourself", name, strings.Join(Names(), ", "))
}

// Options are the user's explicit choices that shape a preset.
type Options struct {
	Tenant string // --tenant
}

// tenantRE accepts tenant IDs (GUIDs) and the aliases common and
// organizations: one path segment, nothing a URL could reinterpret.
var tenantRE = regexp.MustCompile(`^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|common|organizations)$`)

// Apply returns the provider the user meant: explicit fields of given, the
// preset's values for the rest. Endpoints are one group: when the user
// gives --issuer, --auth-url or --token-url (a self-managed GitLab, GitHub
// Enterprise, a test server), the preset's endpoints on the same origin as
// the one replaced move to the user's origin (GitHub's device endpoint
// follows --token-url), and the others are dropped.
func (ps *Preset) Apply(given api.Provider, opts Options) (api.Provider, error) {
	p := given
	if len(p.Scopes) == 0 {
		p.Scopes = slices.Clone(ps.Scopes)
	}
	for k, v := range ps.AuthParams {
		if _, set := p.ExtraAuthParams[k]; !set {
			if p.ExtraAuthParams == nil {
				p.ExtraAuthParams = map[string]string{}
			}
			p.ExtraAuthParams[k] = v
		}
	}
	if p.ScopeSeparator == "" {
		p.ScopeSeparator = ps.ScopeSeparator
	}
	if p.TokenAuthMethod == "" {
		p.TokenAuthMethod = ps.TokenAuthMethod
	}
	if given.Issuer == "" && given.AuthorizationEndpoint == "" && given.TokenEndpoint == "" {
		p.Issuer, p.AuthorizationEndpoint, p.TokenEndpoint = ps.Issuer, ps.AuthorizationEndpoint, ps.TokenEndpoint
		if p.DeviceAuthorizationEndpoint == "" {
			p.DeviceAuthorizationEndpoint = ps.DeviceAuthorizationEndpoint
		}
	} else if p.DeviceAuthorizationEndpoint == "" {
		p.DeviceAuthorizationEndpoint = rebase(ps.DeviceAuthorizationEndpoint, ps.TokenEndpoint, given.TokenEndpoint)
	}
	issuer, err := ps.withTenant(p.Issuer, opts.Tenant)
	if err != nil {
		return p, err
	}
	p.Issuer = issuer
	return p, nil
}

// OriginsFor is Origins when the preset's own endpoints are used; an
// explicit --issuer, --auth-url or --token-url points somewhere else, where
// the preset's origins have no business.
func (ps *Preset) OriginsFor(given api.Provider) []string {
	if given.Issuer != "" || given.AuthorizationEndpoint != "" || given.TokenEndpoint != "" {
		return nil
	}
	return slices.Clone(ps.Origins)
}

// withTenant fills "{tenant}" in an issuer (the preset's or --issuer).
func (ps *Preset) withTenant(issuer, tenant string) (string, error) {
	if !strings.Contains(issuer, "{tenant}") {
		if tenant != "" {
			return "", fmt.Errorf("--tenant applies only to an issuer with {tenant} in it (--provider microsoft)")
		}
		return issuer, nil
	}
	if tenant == "" {
		tenant = ps.DefaultTenant
	}
	switch {
	case tenant == "consumers":
		// Microsoft's consumers metadata names the personal-account
		// tenant's own issuer, which differs from the URL it is fetched
		// from, so OIDC Discovery 4.3 refuses it.
		return "", fmt.Errorf("--tenant consumers cannot be verified (its metadata names another issuer); use --tenant common, which accepts personal accounts too")
	case !tenantRE.MatchString(tenant):
		return "", fmt.Errorf("--tenant %q: give the tenant ID (a GUID, \"Directory (tenant) ID\" in the Entra admin center), common or organizations; "+
			"a domain name's metadata names the tenant ID as issuer, so it cannot be verified", tenant)
	}
	return strings.ReplaceAll(issuer, "{tenant}", tenant), nil
}

// rebase moves endpoint from the origin of replaced to the origin of by,
// when it is on replaced's origin; otherwise it is dropped ("").
func rebase(endpoint, replaced, by string) string {
	e, err1 := url.Parse(endpoint)
	r, err2 := url.Parse(replaced)
	b, err3 := url.Parse(by)
	if endpoint == "" || err1 != nil || err2 != nil || err3 != nil || by == "" || e.Scheme != r.Scheme || e.Host != r.Host {
		return ""
	}
	e.Scheme, e.Host = b.Scheme, b.Host
	return e.String()
}

// MissingClientID says where to get a client ID for this provider.
func (ps *Preset) MissingClientID() string {
	return fmt.Sprintf("--provider %s needs --client-id: register an application at %s and pass its client ID", ps.Name, ps.Register)
}

// MissingSecret says how to give the client secret this provider requires.
func (ps *Preset) MissingSecret() string {
	return fmt.Sprintf("%s requires the client secret of your application (%s) to sign in: put it in an environment variable and pass --client-secret-env NAME, "+
		"or pass --client-secret-prompt and type it in a terminal", ps.Title, ps.Register)
}
