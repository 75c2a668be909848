#!/usr/bin/env bash
# make test-node: the package's tests against the packed package, as a user gets it.
#
#   run.sh SCRATCH_DIR [node --test arguments...]
#
# npm pack makes the tarball (its prepack copies in the repository's plugin.wasm); a scratch project gets this
# folder's tests and lockfile (the tools the tests use, pinned) and the examples (examples/node), installs them with
# npm ci, then installs the tarball as a user would (npm install FILE.tgz; the package's npm-shrinkwrap.json pins
# its dependencies, and fs-ext builds natively). The tests and the examples then import `wasmlogin` from that
# project's node_modules, never from the source folder.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
scratch=${1:?usage: run.sh SCRATCH_DIR [node --test arguments...]}
shift

tgz=$(cd "$repo/host/node" && npm pack --silent --pack-destination "$scratch")
echo "npm pack: $tgz, $(stat -c %s "$scratch/$tgz") bytes"
project=$scratch/project
mkdir -p "$project/test" "$project/examples"
cp "$here"/package.json "$here"/package-lock.json "$project/"
cp "$here"/*.mjs "$here"/*.ts "$here"/tsconfig.json "$project/test/"
cp "$repo"/examples/node/*.mjs "$project/examples/"
(cd "$project" && npm ci --silent --no-audit --no-fund && npm install --silent --no-save --no-audit --no-fund "$scratch/$tgz")
cd "$project"
WASMLOGIN_REPO=$repo WASMLOGIN_TARBALL=$scratch/$tgz node --no-warnings --test "${@:-test/}"
