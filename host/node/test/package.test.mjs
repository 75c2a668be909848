// The package as npm delivers it: these tests run against the tarball installed into a scratch project (run.sh),
// and check that this is so, that it carries the repository's plugin, and that its version is the plugin's release.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync, realpathSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { repoRoot } from './repo.mjs'

const entry = fileURLToPath(import.meta.resolve('wasmlogin'))
const pkgDir = dirname(entry)
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'))

test('wasmlogin is imported from an installed package, not from the source folder', () => {
  const source = realpathSync(join(repoRoot, 'host/node'))
  assert.ok(relative(source, realpathSync(pkgDir)).startsWith('..'), `wasmlogin resolves to ${pkgDir}, inside ${source}`)
  assert.match(pkgDir, /node_modules[/\\]wasmlogin$/)
})

test('the package carries the repository\'s plugin.wasm, byte for byte', () => {
  const shipped = readFileSync(join(pkgDir, 'plugin.wasm')), built = readFileSync(join(repoRoot, 'host/internal/wasm/plugin.wasm'))
  assert.ok(shipped.equals(built), `plugin.wasm in the package (${shipped.length} bytes) differs from host/internal/wasm/plugin.wasm (${built.length} bytes); pack again`)
})

test('the package version is the plugin\'s release (plugin/api.Version), and the plugin says so too', async () => {
  const go = readFileSync(join(repoRoot, 'plugin/api/version.go'), 'utf8').match(/const Version = "([^"]+)"/)?.[1]
  assert.ok(go, 'plugin/api/version.go has no Version constant')
  assert.equal(pkg.version, go)
  const { openPlugin, Sandbox, memoryStore } = await import('wasmlogin/host')
  const plugin = await openPlugin({ sandbox: new Sandbox(), grant: new Set(), store: memoryStore() })
  try { assert.deepEqual(plugin.info, { version: go, contract: '0.2.0' }) } finally { await plugin.close() }
})

// installedVersion is the version of the package name that node would load for wasmlogin (node_modules lookup).
function installedVersion(name) {
  for (let d = pkgDir; ; d = dirname(d)) {
    try { return JSON.parse(readFileSync(join(d, 'node_modules', name, 'package.json'), 'utf8')).version } catch {}
    if (dirname(d) === d) return null
  }
}

test('the package ships its declarations, its bin and its dependencies pinned (npm-shrinkwrap.json)', () => {
  for (const f of ['index.d.ts', 'host.d.ts', 'bin/wasmlogin.js', 'npm-shrinkwrap.json', 'README.md']) assert.doesNotThrow(() => readFileSync(join(pkgDir, f)), f)
  for (const [name, version] of Object.entries(pkg.dependencies)) {
    assert.match(version, /^\d+\.\d+\.\d+$/, `${name} is not pinned to an exact version`)
    const installed = installedVersion(name)
    assert.equal(installed, version, name)
  }
  const help = execFileSync(process.execPath, [join(pkgDir, 'bin/wasmlogin.js'), '--help'], { encoding: 'utf8' })
  assert.match(help, /wasmlogin login/)
})
