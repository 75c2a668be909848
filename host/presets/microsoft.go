package presets

// microsoft: Microsoft identity platform (Entra ID) v2.0, OpenID Connect
// with discovery at https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration
// (https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc#find-your-apps-openid-configuration-document-uri).
//
// The tenant comes from --tenant: a tenant ID, "organizations" or "common"
// (the default: work, school and personal accounts). For the aliases,
// discovery names the issuer "https://login.microsoftonline.com/{tenantid}/v2.0";
// each ID token names the user's tenant, and the plugin checks it the way
// Microsoft documents: iss equals the template with the token's tid in it
// (https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens#validate-the-issuer).
//
// Public clients ("Mobile and desktop applications") may use an http
// redirect only on localhost, which the portal accepts with any port
// (https://learn.microsoft.com/en-us/entra/identity-platform/reply-url#localhost-exceptions).
// offline_access asks for a refresh token
// (https://learn.microsoft.com/en-us/entra/identity-platform/scopes-oidc#offline_access);
// refresh tokens rotate. Token answers may carry expires_in as a string
// (https://learn.microsoft.com/en-us/previous-versions/azure/active-directory/azuread-dev/v1-protocols-oauth-code),
// which the plugin reads.
//
// For the aliases the metadata names another issuer, so the host learns no
// origin from it: the token endpoint and keys are on the issuer's own
// origin, and the userinfo endpoint's origin is given up front
// (https://learn.microsoft.com/en-us/entra/identity-platform/userinfo).
var microsoft = Preset{
	Name:          "microsoft",
	Title:         "Microsoft",
	Issuer:        "https://login.microsoftonline.com/{tenant}/v2.0",
	DefaultTenant: "common",
	Origins:       []string{"https://graph.microsoft.com"},
	Scopes:        []string{"openid", "profile", "offline_access"},
	RedirectHost:  "localhost",
	Register:      "https://entra.microsoft.com (App registrations)",
}
