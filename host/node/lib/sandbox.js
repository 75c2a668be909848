// The sandbox's network boundary: which origins the plugin may reach. It starts with the origins the user or app
// configured and grows only from documents the host fetched for the plugin and checked itself, by the rules of
// wit/EMBEDDING.md: an issuer's own discovery document, and for an MCP server its protected resource metadata and
// its authorization servers' metadata. The Go host's equivalent is host/httpguard.
import { checkURL, metadataURLs, canonical, parseBearer, parseResourceMetadata, resourceMetadataURLs, sameDocument } from './mcpauth.js'
import { discoveryURLs, origin } from './urls.js'

// The metadata fields (RFC 8414 2, OIDC Discovery 3, RFC 9126 5) that name where the plugin sends requests, and for
// an MCP client also the registration endpoint (RFC 7591).
const ENDPOINT_FIELDS = ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint', 'revocation_endpoint',
  'device_authorization_endpoint', 'pushed_authorization_request_endpoint']
const MCP_FIELDS = [...ENDPOINT_FIELDS, 'registration_endpoint']

export class Sandbox {
  #allowed = new Set()
  #issuer = ''
  #mcpServer = ''
  #prmTargets = []
  #mcpIssuers = []

  // issuer: the configured issuer, whose own discovery document may teach; allowed: URLs or origins allowed up front.
  constructor({ issuer, allowed = [] } = {}) {
    for (const u of allowed) this.allow(u)
    if (issuer) this.setIssuer(issuer)
  }

  /** allow adds the origin of url (https, or http to loopback, without credentials); anything else is ignored. */
  allow(url) {
    const o = origin(url)
    if (o) this.#allowed.add(o)
  }

  has(o) { return this.#allowed.has(o) }

  /** The allowed origins, sorted: what a later process needs to reach the same endpoints (the profile index). */
  get allowed() { return [...this.#allowed].sort() }

  get issuer() { return this.#issuer }

  setIssuer(issuer) {
    this.#issuer = issuer
    this.allow(issuer)
  }

  // setMCPServer lets the plugin reach the MCP server and learn from its metadata; it throws for a URL the profile
  // refuses (canonical).
  setMCPServer(serverURL) {
    const server = canonical(serverURL)
    this.allow(server)
    this.#mcpServer = server
    this.#prmTargets.push(...resourceMetadataURLs(server))
  }

  // setMCPChallenge takes the WWW-Authenticate values of a 401 or 403 the host itself received from the MCP server:
  // the resource_metadata URL they name becomes reachable and a metadata location. Never call it with anything the
  // plugin said: the plugin could name any URL.
  setMCPChallenge(values) {
    const b = parseBearer(values)
    if (!b?.resourceMetadata || !this.#mcpServer) return
    try { checkURL('resource_metadata', b.resourceMetadata) } catch { return }
    this.#prmTargets.push(b.resourceMetadata)
    this.allow(b.resourceMetadata)
  }

  // learn applies the rules to one exchange the host performed for the plugin: a 200 answer to a GET of exactly one
  // of the locations above, whose body names the issuer (or, for resource metadata, the server) as required.
  learn({ method, url }, { status, body }) {
    if (method !== 'GET' || status !== 200) return
    if (this.#issuer && discoveryURLs(this.#issuer).includes(url)) this.#learnEndpoints(body, this.#issuer, ENDPOINT_FIELDS)
    if (!this.#mcpServer) return
    if (this.#prmTargets.some((t) => sameDocument(t, url))) {
      for (const is of parseResourceMetadata(body, this.#mcpServer) ?? []) {
        if (!this.#mcpIssuers.includes(is)) this.#mcpIssuers.push(is)
        this.allow(is)
      }
      return
    }
    const issuer = this.#mcpIssuers.findLast((is) => metadataURLs(is).some((t) => sameDocument(t, url)))
    if (issuer) this.#learnEndpoints(body, issuer, MCP_FIELDS)
  }

  // #learnEndpoints allows the origins of `fields` of a metadata document that is one JSON object naming `issuer`
  // byte for byte (RFC 8414 3.3); anything else teaches nothing.
  #learnEndpoints(body, issuer, fields) {
    let doc
    try { doc = JSON.parse(body) } catch { return }
    if (doc?.constructor !== Object || doc.issuer !== issuer) return
    for (const field of fields) if (typeof doc[field] === 'string') this.allow(doc[field])
  }
}
