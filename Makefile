# The flow plugin is built with the standard Go toolchain for WASI and
# committed under host/internal/wasm so that `go run ./host` works on a
# fresh clone. The flags make the build reproducible: a test rebuilds it and
# compares bytes.
GO        ?= go
WASM      := host/internal/wasm/plugin.wasm
WASMFLAGS := -buildmode=c-shared -trimpath -buildvcs=false -ldflags='-s -w -buildid='
# The host conformance kit's hostile guest, built the same way (host/conformance).
GUEST     := host/conformance/guest.wasm

PYTHON    ?= python3

# Fuzz targets: package:Target:executions. `make test` runs each target for
# its number of executions (about two seconds here), so a loaded CI machine
# is slower, never flaky; `make fuzz` runs each for FUZZTIME.
FUZZ      := plugin/internal/jsonv:FuzzParse:60000 plugin/internal/jsonv:FuzzWriteString:20000 \
             plugin/tokenresp:FuzzParse:60000 plugin/discovery:FuzzParse:100000 \
             plugin/idtoken:FuzzVerify:15000 plugin/idtoken:FuzzParseJWKS:40000 \
             plugin/flow:FuzzCallback:25000 host/sigverify:FuzzVerify:4000 \
             plugin/mcpauth:FuzzParseChallenges:150000
FUZZTIME  ?= 60s

.PHONY: all wasm conformance-guest test test-go test-python test-node test-mcp test-unit fuzz fuzz-counted demo try bench clean

all: wasm

wasm:
	GOOS=wasip1 GOARCH=wasm $(GO) build $(WASMFLAGS) -o $(WASM) ./plugin
	@ls -l $(WASM) | awk '{print "plugin.wasm: " $$5 " bytes"}'

# host/conformance/TestGuestMatchesSource runs this target and compares bytes.
conformance-guest:
	GOOS=wasip1 GOARCH=wasm $(GO) build $(WASMFLAGS) -o $(GUEST) ./host/conformance/guest
	@ls -l $(GUEST) | awk '{print "guest.wasm: " $$5 " bytes"}'

# The whole suite: unit tests, end-to-end sign-ins against real servers,
# the real Secret Service and a real headless browser. .ci/run provides the
# keyring and browser; see README.
test: test-go test-python test-node test-mcp
	$(MAKE) --no-print-directory fuzz-counted

# The conformance kit runs from its own directory (go test's local
# directory mode) so that its closing "N passed, N failed" line is printed.
test-go:
	$(GO) test -count=1 $$($(GO) list ./... | grep -v '/host/conformance$$')
	cd host/conformance && $(GO) test -count=1

# The Python package (host/python), tested as users get it: its wheel is built with the pinned build
# backend (no build isolation, so nothing unpinned enters), installed with the pinned test requirements into
# a fresh venv in a scratch folder, and pytest runs there on host/python/tests with neither the repository
# nor the package's source on sys.path. The scratch folder is removed afterwards.
test-python:
	@scratch=$$(mktemp -d "$${TMPDIR:-/tmp}/wasmlogin-python.XXXXXX") && trap 'rm -rf "$$scratch"' EXIT && \
	  $(PYTHON) -m venv "$$scratch/build" && \
	  "$$scratch/build/bin/pip" install -q --disable-pip-version-check -r host/python/build-requirements.txt && \
	  "$$scratch/build/bin/pip" wheel -q --disable-pip-version-check --no-deps --no-build-isolation -w "$$scratch/dist" ./host/python && \
	  wheel=$$(ls "$$scratch"/dist/wasmlogin-*.whl) && echo "test-python: $$(basename $$wheel), $$(wc -c <$$wheel) bytes" && \
	  $(PYTHON) -m venv "$$scratch/venv" && \
	  "$$scratch/venv/bin/pip" install -q --disable-pip-version-check "$$wheel" -r host/python/tests/requirements.txt && \
	  cd "$$scratch" && env -u PYTHONPATH WASMLOGIN_WHEEL="$$wheel" "$$scratch/venv/bin/python" -m pytest -q "$(CURDIR)/host/python/tests"

# The Node.js package (host/node), packed and installed into a scratch project as a user gets it, with its tests
# and the examples of examples/node (host/node/test/run.sh). The scratch folder is removed afterwards.
test-node:
	@scratch=$$(mktemp -d "$${TMPDIR:-/tmp}/wasmlogin-node.XXXXXX") && trap 'rm -rf "$$scratch"' EXIT && \
	  host/node/test/run.sh "$$scratch"

# The official MCP conformance suite's client suites (auth, backcompat,
# draft, extensions) against each MCP client, each with its expected
# failures (internal/mcpconformance/run.sh); Node.js 22 and the suite come
# from that folder's lockfile, the Node client's SDK from nodeclient's, and
# the wasmlogin package from its packed tarball. Binaries and results go to
# a scratch directory, kept for a look when a run fails. About 10 seconds
# per client on two cores once the Go build cache is warm (40 with a cold
# one), and about 20 more to install the Node client: 22 scenarios per
# client, each a fresh process signing in.
MCP_CONFORMANCE := internal/mcpconformance

test-mcp: $(MCP_CONFORMANCE)/node_modules/.installed
	@scratch=$$(mktemp -d "$${TMPDIR:-/tmp}/wasmlogin-mcp-conformance.XXXXXX") && \
	  echo "mcp conformance: results in $$scratch" && \
	  GO="$(GO)" $(MCP_CONFORMANCE)/run.sh "$$scratch"

$(MCP_CONFORMANCE)/node_modules/.installed: $(MCP_CONFORMANCE)/package-lock.json
	npm ci --prefix $(MCP_CONFORMANCE) --no-audit --no-fund
	touch $@

# The Node package's own dependencies, for make bench (which runs it from its folder).
host/node/node_modules/.installed: host/node/npm-shrinkwrap.json
	npm ci --prefix host/node --no-audit --no-fund
	touch $@

# Flow logic only, natively: seconds.
test-unit:
	$(GO) test -count=1 ./plugin/...

# Every target: no panics, no hangs, properties held. A finding is written
# to the package's testdata/fuzz and fails the run with go test's output.
#
# A duration run can also end in a bare "context deadline exceeded" with no
# input written: the Go 1.26 fuzz coordinator races its own deadline
# (go.dev/issue/75804, fixed in Go 1.27). That is reported, not failed;
# counted runs have no deadline and so never meet it.
fuzz-counted:
	@$(call run-fuzz,$${n}x)

fuzz:
	@$(call run-fuzz,$(FUZZTIME))

define run-fuzz
log=$$(mktemp); trap 'rm -f "$$log"' EXIT; \
for t in $(FUZZ); do \
  pkg=$${t%%:*}; rest=$${t#*:}; name=$${rest%%:*}; n=$${rest#*:}; budget=$(1); \
  echo "fuzz $$pkg $$name for $$budget"; \
  $(GO) test ./$$pkg -run '^$$' -fuzz "^$$name\$$" -fuzztime $$budget >"$$log" 2>&1 && continue; \
  case "$$budget" in *x) ;; *) \
    if grep -q 'context deadline exceeded' "$$log" && ! grep -q 'Failing input written' "$$log"; then \
      echo "  the fuzz coordinator hit its deadline race (go.dev/issue/75804); no input failed"; continue; \
    fi;; esac; \
  tail -n 40 "$$log"; exit 1; \
done
endef

demo:
	$(GO) run ./examples/demo

# Every command by hand against the local test provider: starts it on
# 127.0.0.1 and prints the flags to use from another terminal.
try:
	@$(GO) run ./internal/testop/cmd/opserver -try

# One table, one run, one machine (internal/bench): plugin size; `token`
# warm, cold and its peak RSS beside a native keyring reader; a PKCE
# sign-in beside a native x/oauth2 + go-oidc client; the Node host; with
# hyperfine and /usr/bin/time. Inside a D-Bus session with a throwaway,
# unlocked gnome-keyring, so the native reader and the host read the same,
# real keyring entry. The table also goes to bench-results.txt, followed
# by the in-process phases of the engine.
bench: wasm host/node/node_modules/.installed
	node host/node/scripts/copy-plugin.js
	@for c in dbus-run-session gnome-keyring-daemon; do command -v $$c >/dev/null || \
	  { echo "make bench: $$c is missing: apt-get install dbus gnome-keyring" >&2; exit 1; }; done
	@data=$$(mktemp -d) && trap 'rm -rf "$$data"' EXIT && \
	XDG_DATA_HOME=$$data dbus-run-session -- sh -c \
	  'echo -n bench | gnome-keyring-daemon --unlock --components=secrets >/dev/null && $(GO) run ./internal/bench -out bench-results.txt'
	@out=$$($(GO) test -run '^$$' -bench . -benchtime 10x ./host/engine 2>&1); s=$$?; \
	  printf '\n%s\n' "$$out" | tee -a bench-results.txt; exit $$s

clean:
	$(GO) clean -cache -testcache
