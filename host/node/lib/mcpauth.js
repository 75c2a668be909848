// The URL and header rules of the MCP authorization profile that the host needs for its sandbox: a server's
// canonical URL and profile name, where its metadata lives, whether a protected resource metadata document speaks
// for it, and the resource_metadata URL of a challenge. They are the rules of the plugin's package mcpauth
// (plugin/mcpauth), which the Go host imports; this host states the same rules over WHATWG URLs, and
// test/mcpauth.test.mjs holds it to the plugin's own test cases. Nothing here decides a protocol step: the host
// only learns, from documents it checks, which origins the plugin may reach.
import { isLoopback } from './urls.js'

export const PROFILE_PREFIX = 'mcp:'
const PRM_WELL_KNOWN = '/.well-known/oauth-protected-resource'
const OAUTH_WELL_KNOWN = '/.well-known/oauth-authorization-server'
const OIDC_WELL_KNOWN = '/.well-known/openid-configuration'

const clip = (s) => (s.length > 200 ? `${s.slice(0, 200)}...` : s)

// checkURL applies the rules every URL the profile fetches or sends a credential to must meet: absolute, https or
// http to loopback, no user information, no fragment. It returns the parsed URL or throws, naming `what`.
export function checkURL(what, raw) {
  const u = typeof raw === 'string' && URL.canParse(raw) ? new URL(raw) : null
  if (!u || !u.host) throw new Error(`${what} ${JSON.stringify(clip(String(raw)))} is not an absolute URL`)
  if (u.username || u.password) throw new Error(`${what} must not contain a user name or password`)
  if (raw.includes('#')) throw new Error(`${what} must not contain a fragment (#...)`)
  if (u.protocol === 'https:') return u
  if (u.protocol === 'http:') {
    if (isLoopback(u.hostname)) return u
    throw new Error(`${what} must use https; plain http is allowed only to localhost, not to ${JSON.stringify(u.hostname)}`)
  }
  throw new Error(`${what} must use https, not ${JSON.stringify(u.protocol.slice(0, -1))}`)
}

const hasQuery = (u, raw) => u.search !== '' || /\?[^#]*$/.test(raw.split('#')[0])

// canonical is the canonical URI of an MCP server (MCP authorization, "Canonical Server URI"; RFC 8707 2): scheme
// and host in lowercase, the default port left out, the path as given except that "/" alone is dropped, the query
// kept, no fragment.
export function canonical(serverURL) {
  const u = checkURL('the MCP server URL', serverURL)
  let out = u.origin
  if (u.pathname !== '/') out += u.pathname
  if (hasQuery(u, serverURL)) out += `?${u.search.slice(1)}`
  return out
}

// profileOf is the profile of the sign-in for the MCP server at serverURL: "mcp:" and its canonical URL.
export const profileOf = (serverURL) => PROFILE_PREFIX + canonical(serverURL)

// covers says whether a protected resource metadata document whose `resource` is prmResource speaks for the server
// (RFC 9728 3.3): the same origin, and the document's path the server's or a whole-segment prefix of it.
export function covers(prmResource, serverURL) {
  let r, s
  try { r = checkURL('resource', prmResource); s = checkURL('server', serverURL) } catch { return false }
  if (r.origin !== s.origin || hasQuery(r, prmResource)) return false
  const rp = r.pathname.replace(/\/$/, ''), sp = s.pathname.replace(/\/$/, '')
  return rp === '' || rp === sp || sp.startsWith(`${rp}/`)
}

// resourceMetadataURLs are where a client looks for the server's protected resource metadata when its challenge
// names none (RFC 9728 3.1): the well-known segment before the server's path, then the origin's root document.
export function resourceMetadataURLs(serverURL) {
  let u
  try { u = checkURL('server', serverURL) } catch { return [] }
  const p = u.pathname.replace(/\/$/, '')
  return [...(p ? [u.origin + PRM_WELL_KNOWN + p] : []), u.origin + PRM_WELL_KNOWN]
}

// metadataURLs are an authorization server's metadata locations, in MCP's order: for an issuer with a path, RFC
// 8414 3.1's (inserted), OpenID Connect's inserted, then OpenID Connect Discovery 4.1's (appended); without a path,
// RFC 8414's and OpenID Connect's at the root. None for what cannot be an issuer (RFC 8414 2: no query).
export function metadataURLs(issuer) {
  let u
  try { u = checkURL('issuer', issuer) } catch { return [] }
  if (hasQuery(u, issuer)) return []
  const p = u.pathname.replace(/\/$/, '')
  if (!p) return [u.origin + OAUTH_WELL_KNOWN, u.origin + OIDC_WELL_KNOWN]
  return [u.origin + OAUTH_WELL_KNOWN + p, u.origin + OIDC_WELL_KNOWN + p, issuer.replace(/\/$/, '') + OIDC_WELL_KNOWN]
}

// sameDocument says whether two URLs name one document: the same origin and path, neither with a query, user
// information or fragment.
export function sameDocument(a, b) {
  const key = (raw) => {
    const u = typeof raw === 'string' && URL.canParse(raw) ? new URL(raw) : null
    if (!u || !u.host || u.username || u.password || raw.includes('#') || hasQuery(u, raw)) return null
    return u.origin + u.pathname
  }
  const ka = key(a)
  return ka !== null && ka === key(b)
}

// parseResourceMetadata reads a protected resource metadata document fetched for the server and returns its
// authorization servers, or null when it does not speak for the server (covers), names none, or names one that is
// not a URL a client may use.
export function parseResourceMetadata(body, serverURL) {
  let doc
  try { doc = JSON.parse(body) } catch { return null }
  if (doc?.constructor !== Object || typeof doc.resource !== 'string' || !doc.resource || !covers(doc.resource, serverURL)) return null
  const servers = doc.authorization_servers
  if (!Array.isArray(servers) || servers.length === 0 || !servers.every((s) => typeof s === 'string')) return null
  try { servers.forEach((s) => checkURL('its authorization server', s)) } catch { return null }
  return servers
}

// ---- WWW-Authenticate (RFC 9110 11.6.1) ----
const TCHAR = /[A-Za-z0-9!#$%&'*+\-.^_`|~]/
const TOKEN68 = /[A-Za-z0-9\-._~+/]/

// parseChallenges splits one WWW-Authenticate value into its challenges ({scheme, params, token68}):
//   challenge  = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
//   auth-param = token BWS "=" BWS ( token / quoted-string )
// A comma starts a new challenge exactly when a token follows that is not followed by "=". Parsing stops at the
// first thing that fits neither, keeping what was read; a parameter named twice keeps its first value.
export function parseChallenges(value) {
  const s = String(value), out = []
  let pos = 0
  const peek = () => s[pos] ?? ''
  const spaces = () => { const start = pos; while (peek() === ' ' || peek() === '\t') pos++; return pos - start }
  const token = () => { const start = pos; while (pos < s.length && TCHAR.test(s[pos])) pos++; return s.slice(start, pos) }
  const quoted = () => {
    pos++
    let v = ''
    while (pos < s.length) {
      const ch = s[pos++]
      if (ch === '"') return v
      if (ch === '\\') { if (pos >= s.length) return null; v += s[pos++] } else v += ch
    }
    return null
  }
  const token68 = () => {
    let i = pos
    while (i < s.length && TOKEN68.test(s[i])) i++
    if (i === pos) return null
    let j = i
    while (s[j] === '=') j++
    let k = j
    while (s[k] === ' ' || s[k] === '\t') k++
    if (k < s.length && s[k] !== ',') return null
    const t = s.slice(pos, j)
    pos = k
    return t
  }
  const params = (c) => {
    const t = token68()
    if (t !== null) { c.token68 = t; return }
    for (;;) {
      const mark = pos, name = token()
      if (!name) return
      spaces()
      if (peek() !== '=') { pos = mark; return }
      pos++
      spaces()
      let v
      if (peek() === '"') { v = quoted(); if (v === null) return } else v = token()
      const key = name.toLowerCase()
      if (!Object.hasOwn(c.params, key)) c.params[key] = v
      spaces()
      if (peek() !== ',') { if (pos < s.length) pos = s.length; return }
      while (peek() === ',' || peek() === ' ' || peek() === '\t') pos++
    }
  }
  for (;;) {
    while (peek() === ' ' || peek() === '\t' || peek() === ',') pos++
    const scheme = token()
    if (!scheme) return out
    const c = { scheme, params: {}, token68: '' }
    if (spaces() > 0) params(c)
    out.push(c)
    if (pos >= s.length) return out
  }
}

// parseBearer returns the first Bearer challenge of a response's WWW-Authenticate values ({resourceMetadata,
// scope, error}), or null (RFC 6750 3, RFC 9728 5.1).
export function parseBearer(values) {
  for (const v of values) {
    for (const c of parseChallenges(v)) {
      if (c.scheme.toLowerCase() !== 'bearer') continue
      const scope = (c.params.scope ?? '').split(/\s+/).filter(Boolean)
      return { resourceMetadata: c.params.resource_metadata ?? '', scope, error: c.params.error ?? '' }
    }
  }
  return null
}
