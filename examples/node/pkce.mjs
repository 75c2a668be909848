// (a) Sign in to any OpenID Connect issuer from a command-line program: authorization code with PKCE, the user's
// browser and a loopback redirect (RFC 8252), then an access token, refreshed when needed, on every later run.
//
//   node pkce.mjs --issuer https://login.example.com --client-id my-cli
import { login, status, token } from 'wasmlogin'
import { parseArgs } from 'node:util'

const { values: args } = parseArgs({ options: { issuer: { type: 'string' }, 'client-id': { type: 'string' }, profile: { type: 'string' } } })
const profile = args.profile ?? 'pkce-example'

try {
  await status({ profile }) // signed in before? then the stored sign-in is used
} catch (e) {
  if (e.code !== 'login_required') throw e
  await login({ issuer: args.issuer, clientId: args['client-id'], scopes: 'openid offline_access', flow: 'browser', profile })
}
const { accessToken, expiresAt } = await token({ profile })
console.log(JSON.stringify({ profile, token: `${accessToken.slice(0, 8)}...`, expiresAt }))
