# Two commands do all set-up on a fresh machine: 'make run' and 'make test'.
GO ?= go
BIN := bin/taiwa

.PHONY: run build test check clean

build:
	$(GO) build -o $(BIN) ./cmd/taiwa

# Serve on the embedded database under ./data (or on DATABASE_URL if set).
run: build
	$(BIN) serve

# Without DATABASE_URL the tests run on a fresh embedded PGlite, one package
# at a time (it has a single backend); with it, packages run in parallel,
# each in its own schema.
test: build
ifeq ($(strip $(DATABASE_URL)),)
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(BIN) pglite -data-dir "$$tmp" -- $(GO) test -p 1 -count=1 ./...
else
	$(GO) test -count=1 ./...
endif

check:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

clean:
	rm -rf bin
