// open_browser: show a URL in the user's browser. A hostile guest chooses the URL, so it is checked first.
import { spawn } from 'node:child_process'
import { WasmloginError } from './errors.js'
import { origin } from './urls.js'

// browserURL refuses what a browser opener must never be handed: anything but https (or http on loopback), a URL
// with spaces or control characters (which a shell or opener could split), or a word an opener would take as an
// option.
export function browserURL(url) {
  if (typeof url !== 'string' || !/^https?:\/\//i.test(url) || /[\s\x00-\x1f\x7f-\x9f]/.test(url) || !origin(url))
    throw new WasmloginError('denied', 'the host opens only https URLs (or http on loopback) without spaces or control characters')
  return url
}

// openBrowser starts $BROWSER (as gh and git do: split into words, the URL as the last argument, never through a
// shell), else the platform's opener, and does not wait for it.
export function openBrowser({ url }) {
  const opener = { darwin: ['open'], win32: ['rundll32', 'url.dll,FileProtocolHandler'] }[process.platform] ?? ['xdg-open']
  const [cmd, ...args] = process.env.BROWSER?.trim() ? process.env.BROWSER.trim().split(/\s+/) : opener
  const child = spawn(cmd, [...args, browserURL(url)], { stdio: ['ignore', 2, 2] })
  // A command that could not start has no pid as soon as spawn returns; its 'error' event only comes on a later
  // tick, after this answer, and must not go unheard (it would crash the process).
  child.on('error', () => {})
  if (child.pid === undefined) throw new WasmloginError('unavailable', `could not start ${cmd}; open the URL yourself`)
  child.unref()
  return { opened: true }
}

// customOpener wraps an application's own opener (an editor's, a test's): the URL is checked all the same.
export const customOpener = (open) => ({ url }) => {
  const opened = open(browserURL(url))
  return { opened: opened !== false }
}

// whereWeRun is what the host can tell about its surroundings (the Go host's host/cli/detect.go); the plugin
// decides which flow that calls for (login_choose). remote: an SSH session, or Linux with no display and no
// $BROWSER, where a browser may run on another machine than the loopback listener. An application that supplies
// its own opener has said it can show pages and receive their redirects.
export function whereWeRun(env = process.env, platform = process.platform, ownOpener = false) {
  if (ownOpener) return { remote: false, browserUsable: true }
  const browserVar = !!env.BROWSER
  const ssh = !!(env.SSH_CONNECTION || env.SSH_TTY)
  const noDisplay = platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY
  const remote = ssh || (noDisplay && !browserVar)
  return { remote, browserUsable: browserVar || !remote }
}
