#!/usr/bin/env bash
# make test-mcp: the official MCP conformance suite's client suites (auth,
# backcompat, draft, extensions) against each MCP client this project
# ships, each judged against its own list of expected failures.
#
#   run.sh SCRATCH_DIR
#
# Needs `npm ci` done in this directory (the Makefile does it) and GO set
# to the go command. Binaries and results go to SCRATCH_DIR, never into
# the repository. The suite starts a fake MCP server and authorization
# server per scenario on localhost and runs the client with the server's
# URL as its last argument; see README.md, "Remote MCP servers". The
# clients: goclient (the official Go SDK's client over host/mcpclient's
# http.Client), stdioclient (a stdio-only client through `wasmlogin mcp
# proxy`, which it hands the scenario's credentials as flags), and
# nodeclient (the official TypeScript SDK's client whose fetch is the npm
# package's mcpFetch, host/node; it runs on the Node.js of PATH, 20 or
# later, not the suite's).
#
# An expected-failures file lists, one per line, a scenario and after a #
# why it fails today. The suite fails the run when a listed scenario
# passes (the entry is stale) or an unlisted one fails; this script also
# fails it when an entry gives no reason or names no known scenario. So
# every line stays true.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
scratch=${1:?usage: run.sh SCRATCH_DIR}
suites=(auth backcompat draft extensions)
# Node.js >= 22 and the suite, from this directory's lockfile: first on
# PATH for the suite's commands only.
suite_path="$here/node_modules/.bin:$PATH"

mkdir -p "$scratch/bin"
(cd "$repo" && for pkg in host/cmd/wasmlogin internal/mcpconformance/goclient internal/mcpconformance/stdioclient; do
  "${GO:-go}" build -o "$scratch/bin/${pkg##*/}" "./$pkg" || exit
done)

# The clients, by label: the command the suite runs (it appends the URL;
# no spaces in paths, the suite splits the command at them), the variable
# that may give it, and the expected-failures file. An empty command is a
# client not written yet: reported, not run.
labels=("go library" "proxy" "node host")
variables=(MCP_CONFORMANCE_GO_CLIENT MCP_CONFORMANCE_PROXY_CLIENT MCP_CONFORMANCE_NODE_CLIENT)
commands=(
  "${MCP_CONFORMANCE_GO_CLIENT:-$scratch/bin/goclient}"                                       # a Go MCP client on the library's http.Client (host/mcpclient)
  "${MCP_CONFORMANCE_PROXY_CLIENT:-$scratch/bin/stdioclient $scratch/bin/wasmlogin mcp proxy}" # a stdio-only client through `wasmlogin mcp proxy`
  "${MCP_CONFORMANCE_NODE_CLIENT:-}"                                                          # a Node.js MCP client on the Node host (below)
)
files=(go.yml proxy.yml node.yml)

# The Node.js client: the SDK from nodeclient's lockfile, the wasmlogin
# package from its packed tarball, installed as a user would; the command
# names this Node.js by its path, since the suite's PATH starts with its own.
if [[ -z ${MCP_CONFORMANCE_NODE_CLIENT:-} ]]; then
  node_bin=$(command -v node)
  mkdir -p "$scratch/nodeclient"
  cp "$here"/nodeclient/{client.mjs,package.json,package-lock.json} "$scratch/nodeclient/"
  tgz=$(cd "$repo/host/node" && npm pack --silent --pack-destination "$scratch")
  (cd "$scratch/nodeclient" && npm ci --silent --no-audit --no-fund && npm install --silent --no-save --no-audit --no-fund "$scratch/$tgz")
  commands[2]="$node_bin $scratch/nodeclient/client.mjs"
fi

known=$(PATH=$suite_path conformance list | sed -n '/^Client scenarios/,$s/^  - \([^ ]*\).*/\1/p')

# check_expected FILE: every entry is a known scenario with a reason.
check_expected() {
  local file=$1 bad=0 line name
  while IFS= read -r line; do
    [[ $line =~ ^[[:space:]]*-[[:space:]] ]] || continue
    if [[ ! $line =~ ^[[:space:]]*-[[:space:]]+([^[:space:]#]+)[[:space:]]+#[[:space:]]*[^[:space:]] ]]; then
      echo "$file: give the scenario and, after a #, why it fails: $line" >&2
      bad=1
      continue
    fi
    name=${BASH_REMATCH[1]}
    if ! grep -qxF "$name" <<<"$known"; then
      echo "$file: $name is no client scenario of this suite version (conformance list names them)" >&2
      bad=1
    fi
  done <"$file"
  return $bad
}

# run_client LABEL COMMAND FILE: all suites, then one summary line.
run_client() {
  local label=$1 command=$2 file=$here/expected-failures/$3
  local out=$scratch/results/${3%.yml} passed=0 failed=0 checks_ok=0 checks_bad=0 status=0 suite log
  if ! check_expected "$file"; then
    echo "mcp conformance ($label): not run: expected-failures/$3 needs fixing (above)"
    return 1
  fi
  mkdir -p "$out"
  for suite in "${suites[@]}"; do
    log=$out/$suite.log
    # The suite's own verdict per scenario; when it is not as expected,
    # its baseline check too (stale entries, unexpected failures).
    if PATH=$suite_path conformance client --command "$command" --suite "$suite" \
      --expected-failures "$file" -o "$out/$suite" >"$log" 2>&1; then
      sed -n '/^[✓✗] /p' "$log" | sed "s/^/  [$label] /"
    else
      status=1
      sed -e 's/\x1b\[[0-9;]*m//g' -n -e '/^[✓✗] /p' -e '/^Total:/,$p' "$log" | sed "s/^/  [$label] /"
    fi
    # "✓ NAME: N passed, M failed[, W warnings]" per scenario.
    while read -r mark _ p _ f _; do
      if [[ $mark == "✓" ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
      checks_ok=$((checks_ok + p)) checks_bad=$((checks_bad + ${f%,}))
    done < <(grep -E '^[✓✗] ' "$log")
  done
  local verdict="every failure is listed in expected-failures/$3"
  [[ $failed != 0 ]] || verdict="no failures, as expected-failures/$3 says"
  [[ $status == 0 ]] || verdict="NOT as expected (above; logs in $out)"
  echo "mcp conformance ($label): $passed passed, $failed failed ($checks_ok checks passed, $checks_bad failed); $verdict"
  return $status
}

status=0
for i in "${!labels[@]}"; do
  if [[ -z ${commands[i]} ]]; then
    echo "mcp conformance (${labels[i]}): NOT RUN: no such client yet; ${variables[i]} gives its command"
    continue
  fi
  run_client "${labels[i]}" "${commands[i]}" "${files[i]}" || status=1
done
exit $status
