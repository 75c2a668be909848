// Provider presets: configuration data for well-known providers, the same as the Go host's (host/presets, where
// each value has the provider's documentation beside it; host/presets/node_presets_test.go holds presets.json to
// it). A preset fills what the caller left out; every explicit option wins. Presets hold no flow logic: what a
// provider's answers mean is the plugin's decision for every server alike.
import { readFileSync } from 'node:fs'
import { WasmloginError } from './errors.js'

const PRESETS = JSON.parse(readFileSync(new URL('./presets.json', import.meta.url), 'utf8'))
export const presetNames = () => Object.keys(PRESETS).sort()

// Tenant IDs (GUIDs) and the aliases common and organizations: one path segment, nothing a URL could reinterpret.
const TENANT = /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|common|organizations)$/

export function lookupPreset(name) {
  const ps = Object.hasOwn(PRESETS, String(name).toLowerCase()) ? PRESETS[String(name).toLowerCase()] : null
  if (!ps) throw new WasmloginError('bad_input', `provider ${JSON.stringify(name)} is not known; use one of ${presetNames().join(', ')}, or give the issuer (or the authorization and token endpoints) yourself`)
  return { name: String(name).toLowerCase(), ...ps }
}

// rebase moves endpoint from the origin of replaced to the origin of by, when it is on replaced's origin; else ''.
function rebase(endpoint, replaced, by) {
  if (!endpoint || !by || !URL.canParse(endpoint) || !URL.canParse(replaced) || !URL.canParse(by)) return ''
  const e = new URL(endpoint), r = new URL(replaced), b = new URL(by)
  if (e.protocol !== r.protocol || e.host !== r.host) return ''
  e.protocol = b.protocol
  e.host = b.host
  return e.href
}

// applyPreset returns the provider (wit's `provider`, snake_case) the caller meant: its explicit fields, the
// preset's for the rest, as the Go host's presets.Apply. Endpoints are one group: when the caller gives an issuer or
// an endpoint, the preset's endpoints on the replaced origin move to the caller's (GitHub's device endpoint follows
// the token endpoint), the others are dropped. Also returned: the origins allowed up front, the redirect host.
export function applyPreset(ps, given, { tenant } = {}) {
  const p = { ...given }
  if (!p.scopes?.length && ps.scopes) p.scopes = [...ps.scopes]
  if (ps.auth_params) p.extra_auth_params = { ...ps.auth_params, ...p.extra_auth_params }
  p.scope_separator ??= ps.scope_separator
  p.token_auth_method ??= ps.token_auth_method
  const own = !given.issuer && !given.authorization_endpoint && !given.token_endpoint
  if (own) {
    Object.assign(p, { issuer: ps.issuer, authorization_endpoint: ps.authorization_endpoint, token_endpoint: ps.token_endpoint })
    p.device_authorization_endpoint ??= ps.device_authorization_endpoint
  } else {
    p.device_authorization_endpoint ??= rebase(ps.device_authorization_endpoint, ps.token_endpoint, given.token_endpoint) || undefined
  }
  if (p.issuer?.includes('{tenant}')) {
    const t = tenant || ps.default_tenant
    if (t === 'consumers') throw new WasmloginError('bad_input', 'tenant consumers cannot be verified (its metadata names another issuer); use common, which accepts personal accounts too')
    if (!TENANT.test(t ?? '')) throw new WasmloginError('bad_input', `tenant ${JSON.stringify(t)}: give the tenant ID (a GUID), common or organizations`)
    p.issuer = p.issuer.replaceAll('{tenant}', t)
  } else if (tenant) {
    throw new WasmloginError('bad_input', 'a tenant applies only to an issuer with {tenant} in it (provider microsoft)')
  }
  for (const k of Object.keys(p)) if (p[k] === undefined) delete p[k]
  return { provider: p, origins: own ? [...(ps.origins ?? [])] : [], redirectHost: ps.redirect_host }
}

export const missingClientId = (ps) => `provider ${ps.name} needs a client ID: register an application at ${ps.register} and pass its client ID`
export const missingSecret = (ps) => `${ps.title} requires the client secret of your application (${ps.register}) to sign in: pass it (from an environment variable, never a command line), or let it be asked for at a terminal`
