// (c) Sign in on a machine without a browser (a server over SSH, a container): the device flow (RFC 8628). The
// program prints a URL and a code; the user enters the code on any device with a browser, and the program goes on.
//
//   node device.mjs --issuer https://login.example.com --client-id my-cli
import { login, token } from 'wasmlogin'
import { parseArgs } from 'node:util'

const { values: args } = parseArgs({ options: { issuer: { type: 'string' }, 'client-id': { type: 'string' } } })
const session = await login({
  issuer: args.issuer, clientId: args['client-id'], scopes: 'openid offline_access', flow: 'device', profile: 'device-example',
  onMessage: (level, message) => console.error(message), // "open URL and enter this code", then "Code: ABCD-EFGH"
})
const { accessToken } = await token({ profile: session.profile })
console.log(JSON.stringify({ subject: session.subject, token: `${accessToken.slice(0, 8)}...` }))
