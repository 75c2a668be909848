package presets

// google: OpenID Connect with discovery at
// https://accounts.google.com/.well-known/openid-configuration
// (https://developers.google.com/identity/openid-connect/openid-connect#discovery).
//
// A "Desktop app" client has a secret that Google requires at the token
// endpoint although it cannot be kept secret
// (https://developers.google.com/identity/protocols/oauth2/native-app#exchange-authorization-code):
// give it with --client-secret-env. A refresh token comes only with
// access_type=offline, and again on a later sign-in only with
// prompt=consent (https://developers.google.com/identity/openid-connect/openid-connect#access-type-param
// and #refresh-tokens). Google's refresh answers carry neither a new
// refresh token nor an ID token (native-app#offline): the plugin keeps both.
var google = Preset{
	Name:           "google",
	Title:          "Google",
	Issuer:         "https://accounts.google.com",
	Scopes:         []string{"openid", "email"},
	AuthParams:     map[string]string{"access_type": "offline", "prompt": "consent"},
	SecretRequired: true,
	Register:       "https://console.cloud.google.com/apis/credentials",
}
