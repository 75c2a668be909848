// prepack: the package carries the flow plugin the repository builds (host/internal/wasm/plugin.wasm, `make wasm`),
// copied in when the package is packed so that the repository keeps one copy of it. The test suite checks that the
// installed package's plugin.wasm equals the repository's.
import { copyFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const from = fileURLToPath(new URL('../../internal/wasm/plugin.wasm', import.meta.url))
copyFileSync(from, fileURLToPath(new URL('../plugin.wasm', import.meta.url)))
