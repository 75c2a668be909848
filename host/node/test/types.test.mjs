// The TypeScript declarations, as a TypeScript user meets them: tsc (pinned in this project) checks usage.ts against
// the installed package. usage.ts also holds misuses marked @ts-expect-error, so declarations that let them pass
// fail this test too.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

test('tsc --noEmit accepts usage.ts against the installed declarations', async () => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  const project = fileURLToPath(new URL('./tsconfig.json', import.meta.url))
  const { code, out } = await new Promise((resolve) => execFile(process.execPath, [tsc, '--noEmit', '-p', project],
    (err, stdout, stderr) => resolve({ code: err ? err.code : 0, out: stdout + stderr })))
  assert.equal(code, 0, out)
})
