// One plugin load plus one `token` call, timed inside the process: what an app that embeds this host pays for a
// token once Node is up. Used by make bench (internal/bench), one fresh process per run; it needs a sign-in done
// with this host first (`node wasmlogin.mjs login ...`) and the same WASMLOGIN_KEYRING_SERVICE and
// WASMLOGIN_NODE_CONFIG_DIR. Usage: node bench.mjs [--profile P] [--out FILE]  (appends the milliseconds to FILE)
import { appendFile, readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { openPlugin } from './wasmlogin.mjs'

const { values: args } = parseArgs({ options: { profile: { type: 'string' }, out: { type: 'string' } } })
// The profile index, where wasmlogin.mjs keeps it (it does not export the path): the profile and its origins.
const dir = process.env.WASMLOGIN_NODE_CONFIG_DIR ?? join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'wasmlogin-node')
const index = JSON.parse(await readFile(join(dir, 'profiles.json'), 'utf8'))
const profile = args.profile ?? index.default
if (!index.profiles?.[profile]) throw new Error(`no profile ${profile} in ${dir}: sign in with wasmlogin.mjs login first`)

const started = performance.now() // openPlugin starts with createPlugin
const { issuer, allowed_origins } = index.profiles[profile]
const plugin = await openPlugin({ issuer, allowed: new Set(allowed_origins), grant: new Set([profile]) })
let ms
try {
  const t = await plugin.call('token', { profile })
  ms = performance.now() - started
  if (!t.access_token || t.refreshed) throw new Error('token did not come from the store: the benchmark needs a valid stored token')
} finally {
  await plugin.close()
}
if (args.out) await appendFile(args.out, `${ms.toFixed(3)}\n`)
else console.log(`plugin load + token: ${ms.toFixed(1)} ms`)
