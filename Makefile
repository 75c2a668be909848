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
             plugin/internal/url:FuzzParse plugin/internal/ipaddr:FuzzParse
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

# Whole-process `token` timings (warm and cold compile cache, peak RSS) and
# the in-process phases. Inside a D-Bus session with gnome-keyring when one
# can be started, so the keyring is the real one; results also go to
# bench-results.txt.
bench: wasm
	@if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then \
	  XDG_DATA_HOME=$$(mktemp -d) dbus-run-session -- sh -c 'echo -n bench | gnome-keyring-daemon --unlock --components=secrets >/dev/null; \
	    $(GO) test -run "^$$" -bench . -benchtime 10x ./host ./host/engine' 2>/dev/null; \
	else \
	  $(GO) test -run '^$$' -bench . -benchtime 10x ./host ./host/engine; \
	fi | tee bench-results.txt

clean:
	$(GO) clean -cache -testcache
