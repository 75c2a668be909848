// One `token` as an app that embeds the package pays for it once Node is up, timed inside the process: by default
// the plugin's load plus its `token` call (served: false), with --served the token the plugin published for serving,
// read from the keyring without loading the plugin. Used by make bench (internal/bench), one fresh process per run
// so no run reuses another's compiled module; it needs a sign-in done with this package first (`wasmlogin login`)
// and the same WASMLOGIN_KEYRING_SERVICE and WASMLOGIN_NODE_CONFIG_DIR.
//   node bench.mjs [--profile P] [--served] [--out FILE]   (appends the milliseconds to FILE)
import { appendFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { token } from '../index.js'

const { values: args } = parseArgs({ options: { profile: { type: 'string' }, served: { type: 'boolean' }, out: { type: 'string' } } })
const started = performance.now()
const t = await token({ profile: args.profile, served: !!args.served })
const ms = performance.now() - started
if (!t.accessToken || t.refreshed) throw new Error('the token did not come from the store: the benchmark needs a valid stored sign-in')
if (args.out) await appendFile(args.out, `${ms.toFixed(3)}\n`)
else console.log(`${args.served ? 'served token' : 'plugin load + token'}: ${ms.toFixed(1)} ms`)
