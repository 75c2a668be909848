#!/usr/bin/env -S node --no-warnings
// The wasmlogin command for Node.js: the Go CLI's commands login, token, status, logout, profiles and use, with its
// flags and exit codes (0 ok, 1 failure, 2 usage, 3 login required, 4 transient, 5 no secret storage, 6 refused by
// the server or failed validation), over this package's functions.
import { parseArgs } from 'node:util'
import { clientCredentials, login, logout, profiles, status, token, use, WasmloginError } from '../index.js'
import { exitCode } from '../lib/errors.js'
import { presetNames } from '../lib/presets.js'

const str = { type: 'string' }, bool = { type: 'boolean' }
const PROVIDER = {
  profile: str, provider: str, tenant: str, issuer: str, 'client-id': str, scopes: str, 'auth-url': str, 'token-url': str,
  'jwks-url': str, 'device-url': str, 'revocation-url': str, 'client-secret-env': str, 'client-secret-prompt': bool,
  'auth-method': str, store: str, json: bool,
}
const COMMANDS = {
  login: {
    options: { ...PROVIDER, device: bool, 'no-browser': bool, 'no-open': bool, 'redirect-host': str, 'redirect-port': str, 'redirect-path': str, 'client-credentials': bool, timeout: str },
    usage: 'login --issuer URL --client-id ID [--provider NAME] [--scopes "A B"] [--profile NAME] [--device | --no-browser | --no-open] [--client-secret-env VAR | --client-secret-prompt] [--client-credentials]',
  },
  token: { options: { profile: str, 'force-refresh': bool, json: bool, header: bool }, usage: 'token [--profile NAME] [--force-refresh] [--json | --header]' },
  status: { options: { profile: str, json: bool }, usage: 'status [--profile NAME] [--json]' },
  logout: { options: { profile: str, json: bool }, usage: 'logout [--profile NAME] [--json]' },
  profiles: { options: { json: bool }, usage: 'profiles [--json]' },
  use: { options: {}, usage: 'use NAME', args: 1 },
}

class Usage extends Error {}

function help() {
  return `usage: wasmlogin COMMAND [flags]\n\n${Object.values(COMMANDS).map((c) => `  wasmlogin ${c.usage}`).join('\n')}\n\n` +
    `Presets (--provider): ${presetNames().join(', ')}.\n` +
    'Exit codes: 0 ok, 1 failure, 2 usage, 3 login required, 4 transient, 5 no secret storage, 6 refused by the server or failed validation.\n'
}

// providerOptions maps the flags to this package's options; a secret comes from the environment variable named,
// never from the command line, where other users could read it.
function providerOptions(v, env) {
  let clientSecret
  if (v['client-secret-env']) {
    clientSecret = env[v['client-secret-env']]
    if (!clientSecret) throw new WasmloginError('bad_input', `--client-secret-env ${v['client-secret-env']}: that environment variable is empty`)
  }
  return {
    profile: v.profile, provider: v.provider, tenant: v.tenant, issuer: v.issuer, clientId: v['client-id'], scopes: v.scopes,
    authorizationEndpoint: v['auth-url'], tokenEndpoint: v['token-url'], jwksUri: v['jwks-url'], deviceAuthorizationEndpoint: v['device-url'],
    revocationEndpoint: v['revocation-url'], clientSecret, promptClientSecret: v['client-secret-prompt'], store: v.store,
  }
}

const print = (out, value) => out.write(`${JSON.stringify(value, null, 2)}\n`)
const when = (unix) => (unix ? `${new Date(unix * 1000).toISOString()} (in ${Math.round(unix - Date.now() / 1000)} s)` : 'not said by the server')

const run = {
  async login(v, { stdout, stderr, env }) {
    const o = providerOptions(v, env)
    if (v['client-credentials']) {
      const t = await clientCredentials({ ...o, authMethod: v['auth-method'] })
      if (v.json) return print(stdout, await status({ profile: t.profile, store: o.store }))
      stderr.write(`Signed in to ${o.issuer ?? o.tokenEndpoint} as client ${o.clientId} (profile "${t.profile}"); the token lasts until ${when(t.expiresAt)} and \`token\` renews it.\n`)
      return
    }
    const port = v['redirect-port'] === undefined ? undefined : Number(v['redirect-port'])
    if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) throw new Usage(`--redirect-port ${v['redirect-port']}: give a port number (0 for any)`)
    const timeoutMs = v.timeout === undefined ? undefined : parseDuration(v.timeout)
    const flow = v.device ? 'device' : v['no-browser'] ? 'paste' : v['no-open'] ? 'browser' : undefined
    const s = await login({ ...o, flow, openBrowser: v['no-open'] ? false : undefined, redirect: { host: v['redirect-host'], port, path: v['redirect-path'] }, timeoutMs })
    if (v.json) print(stdout, s)
  },
  async token(v, { stdout }) {
    const t = await token({ profile: v.profile, forceRefresh: v['force-refresh'] })
    if (v.json) return print(stdout, t)
    stdout.write(v.header ? `Authorization: Bearer ${t.accessToken}\n` : `${t.accessToken}\n`)
  },
  async status(v, { stdout }) {
    const s = await status({ profile: v.profile })
    if (v.json) return print(stdout, s)
    stdout.write(`Profile:  ${s.profile}\nIssuer:   ${s.issuer ?? '-'}\nClient:   ${s.clientId}\nSubject:  ${s.subject ?? '-'}\n` +
      `Expires:  ${when(s.expiresAt)}\nRefresh:  ${s.hasRefreshToken}\nScopes:   ${(s.scopes ?? []).join(' ')}\n`)
    const claims = Object.keys(s.claims ?? {}).sort()
    if (claims.length) stdout.write(`Claims:\n${claims.map((k) => `  ${k}: ${typeof s.claims[k] === 'object' ? JSON.stringify(s.claims[k]) : s.claims[k]}`).join('\n')}\n`)
  },
  async logout(v, { stdout, stderr }) {
    const r = await logout({ profile: v.profile })
    if (v.json) return print(stdout, r)
    const revoked = r.revoked.length ? `; the server revoked the ${r.revoked.join(' and ')} token${r.revoked.length > 1 ? 's' : ''}` : ''
    stderr.write(`Signed out of profile "${r.profile}"${r.removed ? '' : ' (nothing was stored)'}${revoked}.${r.revocationNote ? ` ${r.revocationNote}` : ''}\n`)
  },
  async profiles(v, { stdout, stderr }) {
    const rows = await profiles()
    if (v.json) return print(stdout, rows)
    if (!rows.length) return stderr.write('No profiles yet; run login.\n')
    for (const r of rows) stdout.write(`${r.default ? '*' : ' '} ${r.profile}\t${r.issuer ?? '-'}\t${r.clientId ?? '-'}\n`)
  },
  async use(_v, { stderr }, [name]) {
    await use(name)
    stderr.write(`Profile "${name}" is now the default.\n`)
  },
}

// parseDuration reads 90s, 5m, 2m30s or plain seconds.
function parseDuration(text) {
  const m = /^(?:(\d+)m)?(?:(\d+)s?)?$/.exec(text)
  if (!m || (!m[1] && !m[2])) throw new Usage(`--timeout ${text}: give a duration such as 90s or 5m`)
  return ((Number(m[1] ?? 0) * 60) + Number(m[2] ?? 0)) * 1000
}

export async function main(argv, io = { stdout: process.stdout, stderr: process.stderr, env: process.env }) {
  const [command, ...rest] = argv
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io[command ? 'stdout' : 'stderr'].write(help())
    return command ? 0 : 2
  }
  const spec = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : null
  try {
    if (!spec) throw new Usage(`unknown command ${JSON.stringify(command)}`)
    if (rest.includes('--help') || rest.includes('-h')) { io.stdout.write(`usage: wasmlogin ${spec.usage}\n`); return 0 }
    let parsed
    try { parsed = parseArgs({ args: rest, options: spec.options, allowPositionals: true, strict: true }) } catch (e) { throw new Usage(e.message) }
    if (parsed.positionals.length !== (spec.args ?? 0)) throw new Usage(`${command} takes ${spec.args ? `${spec.args} argument` : 'no arguments'}; usage: wasmlogin ${spec.usage}`)
    await run[command](parsed.values, io, parsed.positionals)
    return 0
  } catch (e) {
    if (e instanceof Usage) {
      io.stderr.write(`wasmlogin: ${e.message}\n${spec ? `usage: wasmlogin ${spec.usage}` : help()}\n`)
      return 2
    }
    io.stderr.write(`wasmlogin ${command}: ${e instanceof WasmloginError ? `${e.message}` : e?.message ?? e}\n`)
    return exitCode(e)
  }
}

process.exitCode = await main(process.argv.slice(2))
