// Where the repository is: the tests run from a scratch project that installed the packed package (Makefile,
// test-node), so they are told (WASMLOGIN_REPO); run in place, it is three folders up.
import { fileURLToPath } from 'node:url'

export const repoRoot = process.env.WASMLOGIN_REPO ?? fileURLToPath(new URL('../../..', import.meta.url))
