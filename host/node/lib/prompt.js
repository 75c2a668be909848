// prompt: ask the user for a line, without echo when it is a secret. The plugin waits for the answer on this thread,
// so it is read synchronously: from the controlling terminal (/dev/tty) with echo turned off by stty(1) when there
// is one, else a line from standard input when that is a pipe (a script that hands the secret over), else the host
// has no user to ask.
import { spawnSync } from 'node:child_process'
import { closeSync, openSync, readSync, writeSync } from 'node:fs'
import { isatty } from 'node:tty'
import { WasmloginError } from './errors.js'

// readLine reads bytes from fd up to a newline (or the end), one at a time: nothing after the line is consumed.
function readLine(fd) {
  const bytes = [], one = Buffer.alloc(1)
  for (;;) {
    let n
    try { n = readSync(fd, one, 0, 1, null) } catch (e) { if (e.code === 'EAGAIN') continue; throw e }
    if (n === 0) { if (!bytes.length) return null; break }
    if (one[0] === 0x0a) break
    bytes.push(one[0])
  }
  return Buffer.from(bytes).toString('utf8').replace(/\r$/, '')
}

// terminalPrompt is the host function's default: the message on the terminal (stderr without one), the answer
// read as above. A secret typed at a terminal is never echoed; the terminal's settings are restored afterwards,
// also when the read fails.
export function terminalPrompt({ message, secret }) {
  let tty = -1
  if (process.platform !== 'win32') try { tty = openSync('/dev/tty', 'r+') } catch { tty = -1 }
  if (tty < 0) {
    if (isatty(0)) throw new WasmloginError('unavailable', 'there is no terminal to ask; give the value another way')
    process.stderr.write(`${message} `) // standard input is a pipe or a file: nothing is echoed
    const line = readLine(0)
    if (line === null) throw new WasmloginError('unavailable', 'standard input ended before an answer was read')
    process.stderr.write('\n')
    return { value: line }
  }
  const stty = (...args) => spawnSync('stty', args, { stdio: [tty, 'ignore', 'ignore'] }).status === 0
  try {
    // Echo goes off before the question is shown: what is typed once it is visible is never echoed.
    const hidden = secret && stty('-echo')
    if (secret && !hidden) throw new WasmloginError('unavailable', 'could not turn off the terminal\'s echo (stty); give the secret another way')
    writeSync(tty, `${message} `)
    let line
    try { line = readLine(tty) } finally { if (hidden) { stty('echo'); writeSync(tty, '\n') } }
    if (line === null) throw new WasmloginError('unavailable', 'the terminal closed before an answer was read')
    return { value: line }
  } finally {
    closeSync(tty)
  }
}

// customPrompt wraps an application's own synchronous prompt(message, {secret}) => string.
export const customPrompt = (ask) => ({ message, secret }) => {
  const value = ask(message, { secret: !!secret })
  if (typeof value !== 'string') throw new WasmloginError('unavailable', 'no answer was given')
  return { value }
}
