// The interactive parts of a sign-in that are the host's: the loopback listener for the browser's redirect
// (RFC 8252 7.3), a pasted redirect URL when the browser runs elsewhere, and polling the device flow (RFC 8628).
// Every decision (is this callback this login's? when to poll? signed in?) is the plugin's.
import { createServer } from 'node:http'
import { createInterface } from 'node:readline'
import { setTimeout as sleep } from 'node:timers/promises'
import { WasmloginError } from './errors.js'

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
const page = (res, status, title, text) => res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(
  `<!doctype html><meta charset="utf-8"><title>${esc(title)}</title><h1>${esc(title)}</h1><p>${esc(text)}</p>` +
  '<p>You can close this tab and return to the terminal.</p>')

// listen binds the loopback listener: 127.0.0.1 (or [::1]) on the port asked for, 0 letting the OS choose (RFC 8252
// 7.3); a provider that accepts only `localhost` gets that name in the redirect URI, the socket still on 127.0.0.1.
export async function listen({ host = '127.0.0.1', port = 0, path = '/callback' } = {}) {
  if (!['127.0.0.1', 'localhost', '[::1]', '::1'].includes(host)) throw new WasmloginError('bad_input', `the redirect host must be 127.0.0.1, [::1] or localhost, not ${JSON.stringify(host)}`)
  if (!/^\/[^?#\s]*$/.test(path)) throw new WasmloginError('bad_input', `the redirect path must start with / and have no query, not ${JSON.stringify(path)}`)
  const bind = host === '[::1]' || host === '::1' ? '::1' : '127.0.0.1'
  const server = createServer()
  await new Promise((resolve, reject) => server.once('error', (e) => reject(new WasmloginError('bad_input',
    `cannot listen on ${bind} port ${port} for the redirect (${e.code}); choose another port, or 0 for any`))).listen(port, bind, resolve))
  const name = bind === '::1' ? '[::1]' : host
  return { server, redirectURI: `http://${name}:${server.address().port}${path}`, path }
}

// looksLikeRedirect says whether a pasted line is the address the login waits for (its host, path and a query);
// a line that is not gets a hint instead of reaching the plugin.
function pastedURL(line, redirectURI) {
  const text = line.includes('://') ? line : `http://${line}` // some address bars hide the scheme
  if (!URL.canParse(text)) return null
  const u = new URL(text), want = new URL(redirectURI)
  return u.host.toLowerCase() === want.host.toLowerCase() && u.pathname === want.pathname && u.search ? u.href : null
}

// browserSignIn runs the browser flow on a plugin instance: login_begin with the listener's redirect URI, then every
// GET on the redirect path to login_complete, one at a time. Any local process can send one, so callback_rejected
// means "not this login's": the plugin keeps the login pending, the sender gets a 400 page, and the wait goes on
// until timeoutMs. Any other answer (a session, or an error such as the server's own) ends the login. With
// `pasted` (an async iterable of lines, standard input for the CLI), the URL the browser ended on may be pasted
// instead; whichever the plugin takes first ends the login. `locked` wraps each login_complete (an MCP sign-in
// holds the profile lock around it).
export async function browserSignIn(plugin, input, { open = true, redirect, timeoutMs = 5 * 60_000, pasted, notify, locked = (fn) => fn() } = {}) {
  const { server, redirectURI, path } = await listen(redirect)
  let timer, ended = false, turn = Promise.resolve(), lines, settle
  const outcome = new Promise((resolve, reject) => { settle = { resolve, reject } })
  outcome.catch(() => {}) // observed below; a failure before that point must not count as unhandled
  try {
    // The listener takes requests from the start: the browser may come back while the plugin's first call (or the
    // lock around it) is still pending. Each waits for that call, then reaches the plugin in turn.
    let flowId
    const begun = (async () => {
      const call = input.call ?? 'login_begin'
      const answer = await (input.call ? locked : (fn) => fn())(() => plugin.call(call, { ...input.args, redirect_uri: redirectURI, open_browser: open }))
      if (input.call && !answer.login) return { answer } // mcp_authorize answered with a token: no browser step
      flowId = answer.login?.flow_id ?? answer.flow_id
      notify?.('info', `Waiting for the browser to come back to ${redirectURI} ...`)
      return {}
    })()
    // complete hands one candidate to the plugin and returns the page to show and, when the login ended, how
    // (end). The caller shows the page first, then ends: the listener closes once the login has ended.
    const complete = async (url) => {
      try { await begun } catch { return { page: [400, 'Sign-in failed', 'The sign-in could not start; see the terminal.'] } }
      if (ended) return { page: [410, 'Already handled', 'This sign-in has already been completed.'] }
      try {
        const s = await locked(() => plugin.call('login_complete', { flow_id: flowId, callback_url: url }))
        ended = true
        return { page: [200, 'Signed in', 'You are signed in.'], end: () => settle.resolve({ session: s, flowId }) }
      } catch (e) {
        if (e.code === 'callback_rejected') {
          notify?.('warn', `Ignored a redirect that is not this sign-in's: ${e.message}\nStill waiting for the browser to come back to ${redirectURI} ...`)
          return { page: [400, 'Not this sign-in', `${e.message}. The terminal is still waiting for the sign-in it started.`] }
        }
        ended = true
        return { page: [400, 'Sign-in failed', e.message], end: () => settle.reject(e) }
      }
    }
    server.on('request', (req, res) => {
      const url = new URL(req.url, redirectURI)
      if (url.pathname !== path) return res.writeHead(404).end()
      if (req.method !== 'GET') return res.writeHead(405, { allow: 'GET' }).end()
      turn = turn.then(async () => {
        const { page: shown, end } = await complete(url.href)
        page(res, ...shown)
        end?.()
      })
    })
    const first = await begun
    if (first.answer) return first
    timer = setTimeout(() => settle.reject(new WasmloginError('timeout', `no sign-in came back within ${Math.round(timeoutMs / 1000)} s; run login again`)), timeoutMs)
    if (pasted) {
      notify?.('info', 'If the page does not load (the browser runs on another machine), copy the full URL from its address bar, paste it here and press Enter.')
      lines = pasted
      ;(async () => {
        for await (const raw of pasted) {
          if (ended) return
          const line = String(raw).trim()
          if (!line) continue
          const url = pastedURL(line, redirectURI)
          if (!url) {
            notify?.('warn', `That is not the address this login waits for; it starts with ${redirectURI}? and goes on with code= or error=. Paste the whole URL from the address bar.`)
            continue
          }
          turn = turn.then(async () => (await complete(url)).end?.())
          await turn
        }
      })().catch(() => {})
    }
    return await outcome
  } finally {
    clearTimeout(timer)
    lines?.close?.()
    server.close()
    server.closeAllConnections()
  }
}

// stdinLines reads pasted lines from standard input; close() lets the process end without them.
export function stdinLines(input = process.stdin) {
  const rl = createInterface({ input, terminal: false })
  const it = rl[Symbol.asyncIterator]()
  return { [Symbol.asyncIterator]: () => it, close: () => { rl.close(); input.unref?.() } }
}

// deviceSignIn runs the device flow (RFC 8628): the plugin prints the code and URL (for a browser elsewhere);
// this polls, waiting exactly wait_seconds between polls (an early poll gets slow_down), and retries a transient
// failure after the same wait. denied and expired end it with the plugin's message.
export async function deviceSignIn(plugin, who, { open = false } = {}) {
  const { flow_id: flowId, interval } = await plugin.call('device_begin', { ...who, open_browser: open })
  for (let wait = interval; ; await sleep(wait * 1000)) {
    const p = await plugin.call('device_poll', { flow_id: flowId }).catch((e) => { if (e.code === 'transient') return { status: 'pending', wait_seconds: wait }; throw e })
    if (p.status === 'signed_in') return p.session
    if (p.status !== 'pending' && p.status !== 'slow_down') throw new WasmloginError(p.status === 'denied' ? 'server_error' : 'login_required', p.message || `the device sign-in was ${p.status}`)
    wait = p.wait_seconds ?? wait
  }
}
