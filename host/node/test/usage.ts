// A typed program against the installed package: `tsc --noEmit` (test/types.test.mjs) checks that the declarations
// describe the API as a TypeScript user calls it, and that misuse is a type error (the @ts-expect-error lines).
import { clientCredentials, fetch, login, logout, mcpFetch, memoryStore, profiles, status, token, use, WasmloginError } from 'wasmlogin'
import type { Session, TokenResult } from 'wasmlogin'
import { Sandbox, openPlugin } from 'wasmlogin/host'

export async function program(): Promise<void> {
  const store = memoryStore()
  const s: Session = await login({ issuer: 'https://login.example.com', clientId: 'my-cli', scopes: ['openid'], flow: 'device', store })
  const t: TokenResult = await token({ profile: s.profile, forceRefresh: true })
  const expires: number | undefined = t.expiresAt
  await status()
  await logout({ profile: 'work' })
  await clientCredentials({ issuer: 'https://login.example.com', clientId: 'svc', clientSecret: process.env.SECRET })
  for (const p of await profiles()) if (p.default) await use(p.profile)
  const res: Response = await fetch('https://api.example.com/me', { wasmlogin: { profile: 'work' } })
  const mcp = mcpFetch({ serverUrl: 'https://mcp.example.com/mcp', client: { clientId: 'c' } })
  await mcp('https://mcp.example.com/mcp', { method: 'POST' })
  await mcp.close()
  const plugin = await openPlugin({ sandbox: new Sandbox({ issuer: 'https://login.example.com' }), grant: new Set(['p']), store })
  await plugin.close()
  try { await token() } catch (e) { if (e instanceof WasmloginError && e.code === 'login_required') console.log(e.serverError, expires, res.status) }
  // @ts-expect-error clientId is a string
  await login({ issuer: 'https://login.example.com', clientId: 42 })
  // @ts-expect-error flow is browser, device or paste
  await login({ issuer: 'https://login.example.com', clientId: 'x', flow: 'carrier-pigeon' })
  // @ts-expect-error token's result has no idToken
  console.log(t.idToken)
}
