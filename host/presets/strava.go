package presets

// strava: from https://developers.strava.com/docs/authentication/
// (authorize and token endpoints; scope is "comma delimited"; client_id
// and client_secret are parameters of every token request, the secret is
// required; answers carry expires_at in Unix seconds beside expires_in, an
// athlete object on the code exchange, and a refresh token that may change
// on every refresh: the newest must be kept; localhost and 127.0.0.1 are
// always allowed as callback domains). No OpenID Connect, no discovery.
var strava = Preset{
	Name:                  "strava",
	Title:                 "Strava",
	AuthorizationEndpoint: "https://www.strava.com/oauth/authorize",
	TokenEndpoint:         "https://www.strava.com/oauth/token",
	Scopes:                []string{"read", "activity:read"},
	ScopeSeparator:        ",",
	TokenAuthMethod:       "client_secret_post",
	SecretRequired:        true,
	Register:              "https://www.strava.com/settings/api",
}
