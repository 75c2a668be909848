// One refresh at a time per profile (wit/EMBEDDING.md, "One refresh at a time per profile"): an exclusive flock(2)
// (LockFileEx on Windows) on <config>/locks/<first 16 hex digits of sha256(profile)>.lock, created 0600 in a 0700
// folder and never deleted, shared with every process of this host (the Go CLI's protocol, host/profiles/lock.go).
// Two processes refreshing with one rotating refresh token would make the server refuse the second or revoke the
// session (RFC 9700 4.14.2); with the lock the second finds the first's token. Node's standard library has no flock,
// so it comes from fs-ext, a small native addon (fs-native-extensions takes fcntl OFD locks on Linux, which do not
// exclude a flock holder such as the Go CLI).
import fsExt from 'fs-ext'
import { createHash } from 'node:crypto'
import { mkdir, open } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { WasmloginError } from './errors.js'

const flock = promisify(fsExt.flock)

export const lockPath = (dir, profile) => join(dir, 'locks', `${createHash('sha256').update(profile).digest('hex').slice(0, 16)}.lock`)

// withProfileLock runs fn while holding the profile's lock. flock is polled without blocking (10 ms apart), so that
// the event loop stays free and a holder that never finishes is reported after waitMs instead of hanging.
export async function withProfileLock(dir, profile, fn, { waitMs = 130_000 } = {}) {
  const path = lockPath(dir, profile)
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const file = await open(path, 'a', 0o600)
  try {
    for (const deadline = Date.now() + waitMs; ;) {
      try { await flock(file.fd, 'exnb'); break } catch (e) { if (e.code !== 'EAGAIN' && e.code !== 'EWOULDBLOCK') throw e }
      if (Date.now() > deadline) throw new WasmloginError('transient', `another process holds ${path} and did not finish within ${Math.round(waitMs / 1000)} s; nothing was changed; ` +
        'try again (if no other wasmlogin command is running, a stuck process holds it)')
      await sleep(10)
    }
    return await fn()
  } finally {
    await file.close() // closing releases the lock
  }
}

// withProfileLocks takes several profiles' locks in ascending order of lock file path, each once, so that two
// callers locking the same pair in another order cannot deadlock.
export async function withProfileLocks(dir, profiles, fn) {
  const ordered = [...new Set(profiles)].sort((a, b) => (lockPath(dir, a) < lockPath(dir, b) ? -1 : 1))
  const step = (i) => (i === ordered.length ? fn() : withProfileLock(dir, ordered[i], () => step(i + 1)))
  return step(0)
}
