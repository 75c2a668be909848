// (b) A confidential client, with the Strava preset (endpoints, comma-separated scopes, the secret in the form
// body): the client secret is asked for once, at the terminal and without echo, and kept in the OS keyring with
// the sign-in, so later runs (and refreshes) never ask again and it never sits in a file or on a command line.
//
//   node strava.mjs --client-id 12345
//   (tests point the preset at their own server with --issuer and --scopes, as the Go CLI's flags can)
import { login, status, token } from 'wasmlogin'
import { parseArgs } from 'node:util'

const str = { type: 'string' }
const { values: args } = parseArgs({ options: { 'client-id': str, issuer: str, scopes: str } })
const profile = 'strava-example'

try {
  await status({ profile })
} catch (e) {
  if (e.code !== 'login_required') throw e
  await login({
    provider: 'strava', clientId: args['client-id'], promptClientSecret: true, profile,
    issuer: args.issuer, scopes: args.scopes,
  })
}
const { accessToken, refreshed } = await token({ profile })
console.log(JSON.stringify({ profile, token: `${accessToken.slice(0, 8)}...`, refreshed }))
