package presets

// github: OAuth Apps and GitHub Apps, from
// https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
// (endpoints; client_id and client_secret as parameters of the token
// request; the answer is form-encoded unless Accept: application/json is
// sent, which the plugin always does; errors such as bad_verification_code
// come with HTTP 200, see .../troubleshooting-oauth-app-access-token-request-errors;
// loopback redirects on 127.0.0.1 with any port).
//
// There is no OpenID Connect: no issuer, no ID token. OAuth App tokens do
// not expire; GitHub App user tokens do (expires_in, a rotating
// refresh_token and refresh_token_expires_in:
// https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens).
// PKCE S256 is accepted but the secret stays required, because GitHub does
// not tell public from confidential clients
// (https://github.blog/changelog/2025-07-14-pkce-support-for-oauth-and-github-app-authentication/).
// No default scopes: GitHub Apps ignore them, and an OAuth App without
// scopes reads public data; pass --scopes (e.g. "read:user repo").
var github = Preset{
	Name:                  "github",
	Title:                 "GitHub",
	AuthorizationEndpoint: "https://github.com/login/oauth/authorize",
	TokenEndpoint:         "https://github.com/login/oauth/access_token",
	// The device flow needs no secret
	// (https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#device-flow).
	DeviceAuthorizationEndpoint: "https://github.com/login/device/code",
	DeviceWithoutSecret:         true,
	TokenAuthMethod:             "client_secret_post",
	SecretRequired:              true,
	Register:                    "https://github.com/settings/developers",
}
