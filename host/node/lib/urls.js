// Which URLs the host lets the plugin reach or open at all: https, or plain http to a loopback host (where nothing
// crosses a network), never with credentials in them (RFC 8252 8.3, RFC 9700 2.6).
import { BlockList, isIP } from 'node:net'

const loopback = new BlockList()
loopback.addSubnet('127.0.0.0', 8, 'ipv4')
loopback.addAddress('::1', 'ipv6')

// isLoopback accepts localhost and the loopback addresses 127.0.0.0/8 and ::1 (an IPv4-mapped address counting as
// the address it maps), given as a URL's hostname (IPv6 in brackets) or bare.
export function isLoopback(host) {
  const h = String(host).replace(/^\[(.*)\]$/, '$1')
  if (h.toLowerCase() === 'localhost') return true
  const family = isIP(h)
  return family !== 0 && loopback.check(h, family === 4 ? 'ipv4' : 'ipv6')
}

// parseURL is new URL(raw), or null for anything that is not an absolute URL.
export const parseURL = (raw) => (typeof raw === 'string' && URL.canParse(raw) ? new URL(raw) : null)

// origin gives the URL's origin when its transport is acceptable (https, or plain http on loopback) and it carries
// no credentials, else null. The origin is WHATWG's: scheme and host in lowercase, the default port left out.
export function origin(raw) {
  const u = parseURL(raw)
  const ok = u && (u.protocol === 'https:' || (u.protocol === 'http:' && isLoopback(u.hostname))) && !u.username && !u.password
  return ok ? u.origin : null
}

// discoveryURLs are where the plugin looks up an issuer's metadata: OpenID Connect Discovery 1.0 section 4 (the
// issuer, then the well-known path) and RFC 8414 section 3.1 (the well-known path between origin and issuer path).
export function discoveryURLs(issuer) {
  const { origin: o, pathname } = new URL(issuer)
  return [`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, `${o}/.well-known/oauth-authorization-server${pathname.replace(/\/$/, '')}`]
}
