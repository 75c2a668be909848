# The flow plugin is built with the standard Go toolchain for WASI and
# committed under host/internal/wasm so that `go run ./host` works on a
# fresh clone. The flags make the build reproducible: a test rebuilds it and
# compares bytes.
GO        ?= go
WASM      := host/internal/wasm/plugin.wasm
WASMFLAGS := -buildmode=c-shared -trimpath -buildvcs=false -ldflags='-s -w -buildid='

PY_VENV   := examples/python/.venv

# Fuzz targets: package:Target. Each runs FUZZTIME (a short bound inside
# `make test`, longer with `make fuzz`).
FUZZ      := plugin/internal/jsonv:FuzzParse plugin/internal/jsonv:FuzzWriteString \
             plugin/tokenresp:FuzzParse plugin/discovery:FuzzParse \
             plugin/idtoken:FuzzVerify plugin/idtoken:FuzzParseJWKS plugin/flow:FuzzCallback \
             plugin/internal/url:FuzzParse plugin/internal/ipaddr:FuzzParse \
             plugin/idtoken:FuzzSignaturesAgreeWithStdlib
FUZZTIME  ?= 60s

.PHONY: all wasm test test-go test-python test-node test-unit fuzz demo bench clean

all: wasm

wasm:
	GOOS=wasip1 GOARCH=wasm $(GO) build $(WASMFLAGS) -o $(WASM) ./plugin
	@ls -l $(WASM) | awk '{print "plugin.wasm: " $$5 " bytes"}'

# The whole suite: unit tests, end-to-end sign-ins against real servers,
# the real Secret Service and a real headless browser. .ci/run provides the
# keyring and browser; see README.
test: test-go test-python test-node
	$(MAKE) --no-print-directory fuzz FUZZTIME=3s

test-go:
	$(GO) test -count=1 ./...

# The Python host (examples/python), in a venv with pinned packages.
test-python: $(PY_VENV)/.installed
	$(PY_VENV)/bin/python -m pytest -q examples/python

# The Node.js host (examples/node), installed from its lockfile.
test-node: examples/node/node_modules/.installed
	cd examples/node && node --no-warnings --test

examples/node/node_modules/.installed: examples/node/package-lock.json
	npm ci --prefix examples/node --no-audit --no-fund
	touch $@

$(PY_VENV)/.installed: examples/python/requirements.txt
	python3 -m venv $(PY_VENV)
	$(PY_VENV)/bin/pip install -q -r examples/python/requirements.txt
	touch $@

# Flow logic only, natively: seconds.
test-unit:
	$(GO) test -count=1 ./plugin/...

# Each target for FUZZTIME: no panics, no hangs, properties held.
fuzz:
	@for t in $(FUZZ); do \
	  echo "fuzz $${t%%:*} $${t##*:} for $(FUZZTIME)"; \
	  $(GO) test ./$${t%%:*} -run '^$$' -fuzz "^$${t##*:}\$$" -fuzztime $(FUZZTIME) >/dev/null || exit 1; \
	done

demo:
	$(GO) run ./examples/demo

# One table, one run, one machine (internal/bench): plugin size; `token`
# warm, cold and its peak RSS beside a native keyring reader; a PKCE
# sign-in beside a native x/oauth2 + go-oidc client; the Node host; with
# hyperfine and /usr/bin/time. Inside a D-Bus session with a throwaway,
# unlocked gnome-keyring, so the native reader and the host read the same,
# real keyring entry. The table also goes to bench-results.txt, followed
# by the in-process phases of the engine.
bench: wasm examples/node/node_modules/.installed
	@for c in dbus-run-session gnome-keyring-daemon; do command -v $$c >/dev/null || \
	  { echo "make bench: $$c is missing: apt-get install dbus gnome-keyring" >&2; exit 1; }; done
	@data=$$(mktemp -d) && trap 'rm -rf "$$data"' EXIT && \
	XDG_DATA_HOME=$$data dbus-run-session -- sh -c \
	  'echo -n bench | gnome-keyring-daemon --unlock --components=secrets >/dev/null && $(GO) run ./internal/bench -out bench-results.txt'
	@out=$$($(GO) test -run '^$$' -bench . -benchtime 10x ./host/engine 2>&1); s=$$?; \
	  printf '\n%s\n' "$$out" | tee -a bench-results.txt; exit $$s

clean:
	$(GO) clean -cache -testcache
