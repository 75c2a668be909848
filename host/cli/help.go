package cli

const usageText = `wasmlogin - sign in to OAuth 2 / OpenID Connect providers from the command line.
The flow logic runs in a sandboxed WebAssembly plugin; this program lends it
HTTP, a browser, a loopback listener and the OS keyring.

Usage:
  host login  --issuer URL --client-id ID [flags]   sign in with your browser (PKCE)
  host token  [--profile NAME]                      print a valid access token
  host status [--profile NAME]                      show who is signed in, no secrets
  host logout [--profile NAME]                      forget the stored tokens
  host profiles                                     list sign-ins (* marks the default)
  host use NAME                                     make NAME the default profile

Credential helpers (the same token, in each consumer's shape):
  host token --header                               "Authorization: Bearer ..." for curl -H @-
  host kubectl-credential [--profile NAME]          client.authentication.k8s.io/v1 ExecCredential
  host git-credential [--username U] get            git's credential helper protocol
  host exec [--env VAR] -- CMD ARGS...              run CMD with the token in $VAR (ACCESS_TOKEN)

Examples:
  host login --issuer https://accounts.google.com --client-id 123.apps.googleusercontent.com \
             --client-secret-env GOOGLE_CLIENT_SECRET
  curl -H "Authorization: Bearer $(host token)" https://api.example.com/me
  host status --json | jq .claims.email

Login flags:
  --issuer URL             the provider; its discovery document supplies the endpoints
  --client-id ID           the OAuth client registered for this app
  --scopes "A B"           scopes to ask for (default: openid, plus offline_access when offered)
  --auth-url, --token-url  endpoints for providers without discovery (GitHub, Strava)
  --jwks-url URL           key set for ID tokens when there is no discovery
  --auth-param NAME=VALUE  extra authorization parameter, repeatable (access_type=offline for Google)
  --client-secret-env VAR  read a confidential client's secret from $VAR (kept in the keyring)
  --client-secret-prompt   ask for the client secret without echo (kept in the keyring)
  --redirect-host HOST     loopback host in the redirect URI: 127.0.0.1 (default), localhost, [::1]
  --redirect-port N        fixed port for providers that demand one (default: the OS picks)
  --redirect-path PATH     redirect path (default /callback)
  --no-open                print the URL but do not open a browser
  --timeout DURATION       how long to wait for the browser (default 5m)

Common flags:
  --profile NAME           which sign-in (default: derived from issuer and client, or the last one)
  --json                   machine-readable output on stdout
  --store keyring|file     where secrets live (default keyring; file = encrypted file,
                           passphrase from WASMLOGIN_STORE_PASSPHRASE; also WASMLOGIN_STORE)
  --force-refresh          (token) refresh even if the access token is still valid

Environment:
  BROWSER                  program used to open URLs (like gh and git)
  WASMLOGIN_CONFIG_DIR     where the profile index lives (no secrets in it)
  WASMLOGIN_CACHE_DIR      compiled plugin cache ("-" to disable)
  WASMLOGIN_KEYRING_SERVICE  keyring service name (default wasmlogin)

Exit codes:
  0 ok   1 failure   2 usage   3 login required   4 transient (try again)
  5 no secret storage   6 refused by the server or failed validation
`
