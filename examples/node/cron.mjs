// (d) A cron job that calls an API as itself: the client credentials grant. The secret comes from the job's
// environment, never its command line; the plugin keeps it with the sign-in and renews the token when due, so
// every run after the first only asks for a token.
//
//   CLIENT_SECRET=... node cron.mjs --issuer https://login.example.com --client-id reporter --api https://api.example.com/report
import { clientCredentials, fetch } from 'wasmlogin'
import { parseArgs } from 'node:util'

const str = { type: 'string' }
const { values: args } = parseArgs({ options: { issuer: str, 'client-id': str, api: str, scopes: str } })
const profile = 'cron-example'

// Signing in again each run is cheap for a machine client, and picks up a rotated secret at once.
await clientCredentials({ issuer: args.issuer, clientId: args['client-id'], clientSecret: process.env.CLIENT_SECRET, scopes: args.scopes, profile })
const res = await fetch(args.api, { wasmlogin: { profile } }) // the token in the Authorization header; on 401, one refresh
console.log(res.status, await res.text())
