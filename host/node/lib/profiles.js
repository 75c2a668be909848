// The profile index: this host's own, non-secret note of each profile (its provider without secrets, the origins
// its plugin may reach, the store its secrets are in) and of the default profile. Tokens live only in the secret
// store. The folder also holds the profile locks (lib/lock.js).
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { WasmloginError } from './errors.js'
import { withProfileLock } from './lock.js'

export const MAX_NAME_LENGTH = 255

export const defaultConfigDir = () =>
  process.env.WASMLOGIN_NODE_CONFIG_DIR || join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'wasmlogin-node')

export async function loadIndex(dir) {
  try {
    const ix = JSON.parse(await readFile(join(dir, 'profiles.json'), 'utf8'))
    return { profiles: {}, ...ix }
  } catch (e) {
    if (e.code === 'ENOENT') return { profiles: {} }
    throw new WasmloginError('bad_input', `the profile index ${join(dir, 'profiles.json')} cannot be read (${e.message}); fix or remove it`)
  }
}

// updateIndex reads, changes and writes the index under a lock of its own, atomically (a temporary file renamed),
// so that a concurrent token run never reads half a file and two sign-ins do not lose each other's entry.
export async function updateIndex(dir, change) {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  return withProfileLock(dir, '\u0000profiles.json', async () => {
    const ix = await loadIndex(dir)
    const out = await change(ix)
    const tmp = join(dir, `profiles.json.${process.pid}.tmp`)
    await writeFile(tmp, JSON.stringify(ix, null, 2), { mode: 0o600 })
    await rename(tmp, join(dir, 'profiles.json'))
    return out
  })
}

// checkName: printable ASCII without spaces, 1 to 255 bytes (the Go host's profiles.CheckName), so that a name is
// safe in a file name's hash, a keyring entry and a terminal.
export function checkName(name) {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME_LENGTH)
    return `a profile name has 1 to ${MAX_NAME_LENGTH} characters`
  const bad = [...name].findIndex((c) => c < '\x21' || c > '\x7e')
  return bad < 0 ? null : `a profile name is printable ASCII without spaces (letters, digits, and . _ @ - : / # and the like); ${JSON.stringify(name)} has ${JSON.stringify(name[bad])} at ${bad}`
}

// deriveProfile is what a sign-in without a profile name is called: the plugin's own rule (plugin/flow
// DeriveProfile: issuer, else token endpoint, as host and path, then "#" and the client), applied by the host so
// that it, not the guest, decides which profile an instance may write.
export function deriveProfile({ issuer, token_endpoint: tokenEndpoint, client_id: clientId }) {
  let base = issuer || tokenEndpoint || ''
  if (URL.canParse(base) && new URL(base).host) {
    const u = new URL(base)
    base = u.host + u.pathname.replace(/\/$/, '')
  }
  return `${base}#${clientId}`
}
