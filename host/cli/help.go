package cli

const usageText = `wasmlogin - sign in to OAuth 2 / OpenID Connect providers from the command line.
The flow logic runs in a sandboxed WebAssembly plugin; this program lends it
HTTP, a browser, a loopback listener and the OS keyring.

Usage:
  host login  --issuer URL --client-id ID [flags]   sign in with your browser (PKCE), or with a
                                                    code on another device (over SSH, no display)
  host token  [--profile NAME]                      print a valid access token
  host status [--profile NAME]                      show who is signed in, no secrets
  host logout [--profile NAME]                      revoke the tokens at the server, forget them here
  host userinfo [--profile NAME]                    the provider's userinfo claims about you
  host profiles                                     list sign-ins (* marks the default)
  host use NAME                                     make NAME the default profile

Machines (no user at the keyboard; see "Machine flags"):
  host login --client-credentials --issuer URL --client-id ID --client-secret-env VAR
                                                    a service client signs in as itself (cron, CI);
                                                    token renews it with the same grant
  host exchange --profile CLIENT --subject-profile P | --subject-token-stdin
                                                    trade a token for another (RFC 8693); prints it

Credential helpers (the same token, in each consumer's shape):
  host token --header                               "Authorization: Bearer ..." for curl -H @-
  host kubectl-credential [--profile NAME]          client.authentication.k8s.io/v1 ExecCredential
  host git-credential [--username U] get            git's credential helper protocol, over https,
                                                    for the hosts named at login (--git-host)
  host exec [--env VAR] -- CMD ARGS...              run CMD with the token in $VAR (ACCESS_TOKEN)

Examples:
  host login --issuer https://accounts.google.com --client-id 123.apps.googleusercontent.com \
             --client-secret-env GOOGLE_CLIENT_SECRET
  host login --provider github --client-id Iv1.abc --client-secret-env GITHUB_CLIENT_SECRET
  curl -H "Authorization: Bearer $(host token)" https://api.example.com/me
  host status --json | jq .claims.email

Login flags:
  --provider NAME          start from a preset: github, google, microsoft, gitlab, strava
                           (endpoints, scopes, quirks); any flag below overrides it
  --tenant T               (--provider microsoft) tenant ID, organizations or common (default)
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
  --no-browser             browser flow without a browser here: print the URL, then paste the
                           address the browser ends on (if the page does not load)
  --device                 the device flow (RFC 8628): enter a code on any device with a browser
                           (chosen by itself over SSH or with no display, when the server offers it)
  --device-url URL         device authorization endpoint for servers without discovery
  --timeout DURATION       how long to wait for the browser (default 5m; a device code
                           is waited for as long as the server keeps it valid)
  --git-host HOST[:PORT]   a git server git-credential answers for, repeatable (default: the
                           issuer's host); only over https

Machine flags:
  --client-credentials     (login) the client credentials grant; secret via --client-secret-env
  --auth-method basic|post (login) how the client authenticates (default: from discovery, basic first)
  --revocation-url URL     (login) revocation endpoint for servers without discovery of one
  --subject-profile P      (exchange) use profile P's token as the subject (refreshed when needed)
  --subject-token-stdin    (exchange) read the subject token from stdin (never from argv)
  --subject-token-type T   (exchange) access_token (default), refresh_token, id_token, jwt or a URI
  --requested-token-type T (exchange) the kind of token wanted (default: the server decides)
  --audience A, --resource URI  (exchange) where the token will be used; repeatable
  --scopes "A B"           (exchange) scopes for the issued token

Common flags:
  --profile NAME           which sign-in (default: derived from issuer and client, or the last one)
  --json                   machine-readable output on stdout
  --verbose                trace the plugin's HTTP on stderr, secrets redacted
                           (WASMLOGIN_TRACE_SECRETS=1 shows them: never in shared logs)
  --store keyring|file     where secrets live (default keyring; file = encrypted file,
                           passphrase from WASMLOGIN_STORE_PASSPHRASE; also WASMLOGIN_STORE)
  --force-refresh          (token) refresh even if the access token is still valid

Environment:
  BROWSER                  program used to open URLs (like gh and git)
  WASMLOGIN_CONFIG_DIR     where the profile index lives (no secrets in it)
  WASMLOGIN_CACHE_DIR      compiled plugin cache ("-" to disable)
  WASMLOGIN_HTTP_TIMEOUT   bound on each HTTP request of the plugin (default 30s)
  WASMLOGIN_KEYRING_SERVICE  keyring service name (default wasmlogin)

Exit codes:
  0 ok   1 failure   2 usage   3 login required   4 transient (try again)
  5 no secret storage   6 refused by the server or failed validation
`
