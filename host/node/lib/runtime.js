// The plugin's runtime: plugin.wasm loaded with @extism/extism on the calling thread, with the host functions of
// wit/flow.wit, its memory capped, each call bounded in time, and its contract checked before anything else.
import { closeSync, openSync, readFileSync } from 'node:fs'
import { devNull } from 'node:os'
import { fileURLToPath } from 'node:url'
import vm from 'node:vm'
import { openBrowser } from './browser.js'
import { WasmloginError } from './errors.js'
import { loadRuntime } from './wasi.js'
import { httpRequest } from './http.js'
import { terminalPrompt } from './prompt.js'
import { secretFunctions } from './secrets.js'
import { BadInput, verifySignature } from './signatures.js'
import { signer } from './signing.js'

// CONTRACT is the version of wit/flow.wit this host speaks; a plugin that describes another one is refused.
export const CONTRACT = '0.2.0'
// The plugin shipped inside this package (copied in when it is packed); WASMLOGIN_PLUGIN names another.
export const pluginPath = () => process.env.WASMLOGIN_PLUGIN || fileURLToPath(new URL('../plugin.wasm', import.meta.url))

// As the Go host's (host/engine/runtime.go): 64 MiB of memory and 2 minutes per call, HTTP inside it included.
export const MAX_MEMORY_PAGES = 1024 // of 64 KiB
export const CALL_TIMEOUT_MS = 120_000

// capMemory returns the module with a maximum of maxPages on the memory it defines, so that growing past it fails
// inside the guest (Go's runtime then stops with "out of memory": a trap, and the host lives on). Neither Node nor
// @extism/extism 1.0.3 has a setting for it (2.0.0-rc13's memory.maxPages counts only Extism's own buffers, not the
// guest's memory), so the maximum is written into the module, in its memory section (WebAssembly Core
// Specification 5.5.8): a vector of limits (5.3.7: 0x00 min, or 0x01 min max, each an unsigned LEB128). A
// maximum the module already has is kept if it is lower. Every other byte is kept as it is.
export function capMemory(wasm, maxPages) {
  if (wasm.length < 8 || wasm.readUInt32LE(0) !== 0x6d736100) throw new Error('the plugin file is not a WebAssembly module')
  const leb = (n) => { const out = []; do { out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0)); n >>>= 7 } while (n); return out }
  let at = 8
  const u32 = () => { let n = 0, shift = 0, b; do { b = wasm[at++]; n += (b & 0x7f) * 2 ** shift; shift += 7 } while (b & 0x80); return n }
  while (at < wasm.length) {
    const start = at, id = wasm[at++], size = u32(), end = at + size
    if (id === 5) {
      const count = u32(), body = leb(count)
      for (let i = 0; i < count; i++) {
        const flags = wasm[at++]
        if (flags > 1) throw new Error(`the plugin's memory has flags 0x${flags.toString(16)} (shared or 64-bit); this host caps only a plain 32-bit memory`)
        const min = u32(), max = flags === 1 ? u32() : Infinity
        if (min > maxPages) throw new Error(`the plugin asks for ${min} pages of memory at start, more than the cap of ${maxPages}`)
        body.push(1, ...leb(min), ...leb(Math.min(max, maxPages)))
      }
      return Buffer.concat([wasm.subarray(0, start), Buffer.from([5, ...leb(body.length), ...body]), wasm.subarray(end)])
    }
    at = end
  }
  throw new Error('the plugin defines no memory of its own, so this host cannot cap it')
}

// A plugin call runs synchronously on this thread (see openPlugin), and V8 stops running code only by terminating
// it. vm's timeout does exactly that: a watchdog thread calls V8's TerminateExecution, which also interrupts a Wasm
// loop and an Atomics.wait, and the script throws ERR_SCRIPT_EXECUTION_TIMEOUT here. It costs a watchdog thread
// per call, about 0.1 ms; a worker (runInWorker) costs a thread and a second compile, about 25 ms per start.
const bounded = new vm.Script('run()', { filename: 'wasmlogin: a bounded plugin call' })
const runBounded = (context, run, timeoutMs) => {
  context.run = run
  try { return bounded.runInContext(context, { timeout: timeoutMs }) } finally { context.run = null }
}

// guestWASI is WASI for the guest, from node:wasi: the real clocks and the OS's randomness, no files, no
// environment, and stdin, stdout and stderr on the null device (stdout may carry a token to a pipe). Each function
// goes to the guest wrapped in a plain function instead of as node:wasi's own: Wasm calls those as V8 "fast API"
// calls, and a garbage collection during one crashes the process with SIGSEGV (nodejs/node#46777). A guest near
// its memory cap makes exactly that happen (Go's runtime sleeps in poll_oneoff as it runs out of memory).
function guestWASI(WASI) {
  const fd = openSync(devNull, 'r+')
  const wasi = new WASI({ version: 'preview1', stdin: fd, stdout: fd, stderr: fd, returnOnExit: true })
  const imports = Object.fromEntries(Object.entries(wasi.wasiImport).map(([name, fn]) => [name, (_extism, ...args) => fn(...args)]))
  return { wasi, imports, close: () => closeSync(fd) }
}

// openPlugin loads the plugin on this thread for one sandbox (lib/sandbox.js: the origins it may reach), the
// profiles it may touch (grant, a Set) and a secret store (lib/secrets.js), with its memory capped (capMemory) and
// each call bounded by callTimeoutMs, then asks it which contract it implements (describe) and refuses another.
// The guest calls the host functions synchronously and each must answer before returning: no promises, so no event
// loop during a call (the store is synchronous, HTTP waits on a helper thread). A worker (runInWorker) would let
// them be async, but costs about 25 ms more at every start (README), and a token served from the store needs no
// network. Host functions reply with the {"ok"} / {"error"} envelope; nothing may throw out of one into the guest.
// Options: openBrowser, prompt and notify replace those host functions; `functions` replaces any (tests use it to
// play a dishonest host); timeoutMs bounds one HTTP exchange.
export async function openPlugin({ sandbox, grant, store }, { functions, callTimeoutMs = CALL_TIMEOUT_MS, timeoutMs, ...hooks } = {}) {
  const http_request = httpRequest(sandbox, { timeoutMs })
  const notify = hooks.notify ?? (({ message }) => { process.stderr.write(`${message}\n`); return {} })
  const impl = {
    http_request, open_browser: hooks.openBrowser ?? openBrowser, notify, prompt: hooks.prompt ?? terminalPrompt,
    ...secretFunctions(store, grant), verify_signature: verifySignature, sign: signer(store, grant), ...functions,
  }
  const wrap = (fn) => (ctx, offset) => {
    let input, reply
    try { input = JSON.parse(ctx.read(offset).text()) } catch {}
    if (input?.constructor !== Object) reply = { error: { code: 'bad_input', message: 'the payload is not a JSON object' } }
    try { reply ??= { ok: fn(input) } } catch (e) {
      reply = { error: { code: e instanceof WasmloginError || e instanceof BadInput ? e.code : 'unavailable', message: e?.message ?? String(e) } }
    }
    try { return ctx.store(JSON.stringify(reply)) } catch { return 0n } // 0: "the host function returned nothing"
  }
  const { WASI, createPlugin } = await loadRuntime()
  const guest = guestWASI(WASI), context = vm.createContext({ run: null })
  let plugin, broken // why the instance may not be called again: a call that did not return leaves its state unknown
  const close = async () => { await http_request.close(); await plugin?.close(); guest.close() }
  try {
    // useWasi: false, because the WASI is guestWASI's; so this host runs the module's _initialize (Go's runtime and
    // package initialisation), under the same bound as a call.
    plugin = await createPlugin({ wasm: [{ data: cappedPlugin() }] }, {
      useWasi: false, runInWorker: false,
      functions: {
        'extism:host/user': Object.fromEntries(Object.entries(impl).map(([name, fn]) => [name, wrap(fn)])),
        wasi_snapshot_preview1: guest.imports,
      },
    })
    const instance = await plugin.getInstance()
    runBounded(context, () => guest.wasi.initialize(instance), callTimeoutMs)
  } catch (e) {
    await close()
    throw stopped('loading', e, callTimeoutMs)
  }
  // plugin.call runs the guest to completion, host calls included, before it returns: concurrent calls take turns.
  const call = async (name, input) => {
    if (broken) throw new Error(`the flow plugin cannot take ${name}: ${broken}; start again`)
    let output
    try {
      output = await runBounded(context, () => plugin.call(name, JSON.stringify(input)), callTimeoutMs)
    } catch (e) {
      broken = `its ${name} call failed`
      throw stopped(name, e, callTimeoutMs)
    } finally {
      store.forget?.()
    }
    const reply = output?.json() ?? { error: { code: 'internal', message: `the plugin's ${name} returned nothing` } }
    if (reply.error) throw WasmloginError.fromFlowError(reply.error)
    return reply.ok
  }
  // describe first (wit/EMBEDDING.md): a plugin of another contract imports other functions and sends other
  // payloads, so it is refused up front, naming both versions.
  let info
  try {
    info = await call('describe', {})
  } catch (e) {
    await close()
    throw new WasmloginError('internal', `this module does not describe itself as a wasmlogin flow plugin (${e.message}); this host needs one of contract ${CONTRACT}`)
  }
  if (info?.contract !== CONTRACT) {
    await close()
    throw new WasmloginError('internal', `the flow plugin ${info?.version} implements contract ${info?.contract}, but this host speaks contract ${CONTRACT}; use a plugin and a host of the same contract`)
  }
  return { call, close, info }
}

// cappedPlugin reads the plugin once per process and caps its memory (capMemory); later instances reuse the bytes.
let capped
function cappedPlugin() {
  const path = pluginPath()
  if (capped?.path !== path) capped = { path, bytes: capMemory(readFileSync(path), MAX_MEMORY_PAGES) }
  return capped.bytes
}

// stopped describes a guest that did not answer: a trap, an exit, or the call timeout. It is a plain Error, not a
// WasmloginError: the plugin gave no answer, and the instance is not used again.
function stopped(what, e, timeoutMs) {
  if (e?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT')
    return new Error(`the flow plugin was stopped in ${what}: it ran longer than ${timeoutMs / 1000} s; try again, and report it if it happens again`)
  const detail = typeof e === 'symbol' ? 'it exited' : e?.message ?? String(e) // node:wasi's proc_exit throws a symbol
  return new Error(`the flow plugin failed in ${what}: ${detail}`)
}

