// Secret storage for the plugin (secret_get, secret_set, secret_delete) and the scope of one instance. A store is
// synchronous ({name, get, set, delete}), because the plugin calls it on this thread and waits for the answer.
import { Entry } from '@napi-rs/keyring'
import { WasmloginError } from './errors.js'

export const DEFAULT_SERVICE = 'wasmlogin-node'

// keyringStore keeps secrets in the OS keyring (Keychain, Credential Manager, Secret Service) under service, one
// entry per key. On Linux the entry is pinned to the Secret Service: the default would fall back to the kernel
// keyring, which forgets everything at logout. Opening an entry costs about 10 ms on Linux (a D-Bus connection and
// an encrypted session) and one plugin call may use a key twice (a refresh reads, then writes it), so entries are
// kept until forget(), which the host calls after each plugin call: a session kept longer could go stale.
export function keyringStore(service = process.env.WASMLOGIN_KEYRING_SERVICE || DEFAULT_SERVICE) {
  const entries = new Map()
  const entry = (key) => {
    if (!entries.has(key)) entries.set(key, new Entry(service, key, { linux: { store: 'secret-service' } }))
    return entries.get(key)
  }
  return {
    name: 'keyring',
    get: (key) => entry(key).getPassword() ?? null,
    set: (key, value) => { entry(key).setPassword(value) },
    delete: (key) => { entry(key).deletePassword() }, // false (there was nothing) is fine
    forget: () => entries.clear(),
  }
}

// memoryStore keeps secrets in this process only: for tests, and for programs that sign in anew each run.
export function memoryStore() {
  const m = new Map()
  return { name: 'memory', get: (k) => m.get(k) ?? null, set: (k, v) => { m.set(k, v) }, delete: (k) => { m.delete(k) } }
}

// mayUseSecret is an instance's scope: it sees only the records of the profiles it was granted (`profile/<p>`,
// `served/<p>`) and `default-profile`, which it may read, and set or delete only when the value it writes, or the
// one it removes, names a granted profile. Every other key is refused, the private keys the host signs with
// (`signing-key/<p>`, lib/signing.js) above all. stored() reads the current value.
export function mayUseSecret(grant, op, key, value, stored) {
  const [, kind, profile] = /^(profile|served)\/(.*)$/s.exec(key) ?? []
  if (kind) return grant.has(profile)
  if (key !== 'default-profile') return false
  return op === 'get' || (op === 'set' && grant.has(value)) || (op === 'delete' && [null, ...grant].includes(stored()))
}

// secretFunctions are the three host functions over store, scoped to grant (a Set of profile names).
export function secretFunctions(store, grant) {
  const secret = (name, op) => ({ key, value }) => {
    try {
      if (mayUseSecret(grant, name, key, value, () => store.get(key))) return op(key, value)
    } catch (e) {
      throw new WasmloginError('unavailable', `${store.name === 'keyring' ? 'OS keyring' : `the ${store.name} store`}: ${e.message}`)
    }
    throw new WasmloginError('denied', `this instance may not ${name} the secret ${JSON.stringify(key)}: it serves only profile(s) ${[...grant].join(', ') || 'none'}`)
  }
  return {
    secret_get: secret('get', (key) => {
      const value = store.get(key)
      return value == null ? { found: false } : { found: true, value }
    }),
    secret_set: secret('set', (key, value) => { store.set(key, value); return {} }),
    secret_delete: secret('delete', (key) => { store.delete(key); return {} }),
  }
}
