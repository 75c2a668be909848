// node:wasi and @extism/extism, loaded without Node's "WASI is an experimental feature" warning, which would
// otherwise be printed by every run of a program that signs in. Node warns once, when node:wasi first loads, and
// a static import loads it before any code runs; so both are imported here, on first use, with that one warning
// dropped (every other warning passes).
let loading
export function loadRuntime() {
  loading ??= (async () => {
    const emit = process.emitWarning
    process.emitWarning = function (warning, ...rest) {
      if (/WASI is an experimental feature/.test(String(warning?.message ?? warning))) return
      return emit.call(this, warning, ...rest)
    }
    try {
      const [{ WASI }, extism] = await Promise.all([import('node:wasi'), import('@extism/extism')])
      return { WASI, createPlugin: extism.default }
    } finally {
      process.emitWarning = emit
    }
  })()
  return loading
}
