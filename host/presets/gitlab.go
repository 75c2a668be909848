package presets

// gitlab: GitLab.com, OpenID Connect with discovery at
// https://gitlab.com/.well-known/openid-configuration
// (https://docs.gitlab.com/integration/openid_connect_provider/); a
// self-managed instance is the same preset with --issuer https://gitlab.example.com.
//
// A non-confidential application uses PKCE and no secret; read_user is
// the smallest API scope. GitLab always returns a refresh token (no
// offline_access scope) and rotates it on every refresh, revoking the old
// one; its refresh answers carry no ID token and add created_at
// (https://docs.gitlab.com/api/oauth2/#authorization-code-with-proof-key-for-code-exchange-pkce).
var gitlab = Preset{
	Name:     "gitlab",
	Title:    "GitLab",
	Issuer:   "https://gitlab.com",
	Scopes:   []string{"openid", "read_user"},
	Register: "https://gitlab.com/-/user_settings/applications",
}
