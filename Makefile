# Two commands do all set-up on a fresh machine: 'make run' and 'make test'.
GO ?= go
BIN := bin/taiwa

.PHONY: run build runtime test check clean screenshots security bench

build:
	$(GO) build -o $(BIN) ./cmd/taiwa

# Serve on the embedded database under ./data (or on DATABASE_URL if set).
# The embedded database's npm packages install while Go compiles.
run:
	@$(MAKE) --no-print-directory -j2 build runtime
	$(BIN) serve

# runtime installs the embedded database's pinned npm packages where
# 'taiwa serve' looks for them (it installs them itself when missing).
RUNTIME := $(or $(TAIWA_DATA_DIR),./data)/runtime
runtime:
ifeq ($(strip $(DATABASE_URL)),)
	@mkdir -p $(RUNTIME)
	@if ! cmp -s cmd/taiwa/pglite/package-lock.json $(RUNTIME)/package-lock.json || [ ! -d $(RUNTIME)/node_modules ]; then \
		cp cmd/taiwa/pglite/package.json cmd/taiwa/pglite/package-lock.json $(RUNTIME)/ && \
		cd $(RUNTIME) && npm ci --omit=dev --no-audit --no-fund --loglevel=error; fi
endif

# Without DATABASE_URL the tests run on a fresh embedded PGlite, one package
# at a time (it has a single backend; the api package alone takes over ten
# minutes there, past go test's default timeout); with it, packages run in parallel,
# each in its own schema.
test: build
ifeq ($(strip $(DATABASE_URL)),)
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(BIN) pglite -data-dir "$$tmp" -- $(GO) test -p 1 -count=1 -timeout 40m ./...
else
	$(GO) test -count=1 -timeout 40m ./...
endif

# security prints the figures of the security tests (docs/security.md):
# they run in 'make test' too, where passing tests print nothing.
SECURITY_TESTS = TestCrossTenantReplay|TestRoleRouteTable|TestCSRFEveryUnsafeRoute|TestHeadersEveryRoute|TestMalformedRequests|TestAuditTrail|TestIdempotencyKey|TestErasureCoversCoaching|TestCatalog|TestTwoInstallations|TestFiguresRevealNoRating
SECURITY_PKGS = ./api/ ./api/tenant/ ./assistant/history/
SECURITY_FIGURES = grep -E '_test.go:[0-9]+: (cross-tenant replay|role table|CSRF|headers|malformed requests|audit trail|idempotency|erasure|catalog|second installation|differencing):|^(ok|FAIL|---)'
security: build
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	if [ -z "$(strip $(DATABASE_URL))" ]; then \
		$(BIN) pglite -data-dir "$$tmp/db" -- $(GO) test -p 1 -count=1 -v -run '$(SECURITY_TESTS)' $(SECURITY_PKGS) >"$$tmp/out" 2>&1; \
	else \
		$(GO) test -count=1 -v -run '$(SECURITY_TESTS)' $(SECURITY_PKGS) >"$$tmp/out" 2>&1; \
	fi; st=$$?; $(SECURITY_FIGURES) "$$tmp/out"; [ $$st -eq 0 ] || { tail -50 "$$tmp/out"; exit $$st; }

# bench prints the model path's figures (docs/architecture.md): a streamed
# prep's first byte and first delta through Taiwa beside the fake model's
# own, and how long a JSON prep takes to answer offline when the model
# hangs. Meant for native PostgreSQL (DATABASE_URL); it asserts no times.
bench: build
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	if [ -z "$(strip $(DATABASE_URL))" ]; then \
		$(BIN) pglite -data-dir "$$tmp/db" -- $(GO) test -p 1 -count=1 -v -run 'TestStreamLatencyFigures|TestHungModelFigure' ./api/ -streambench 30 >"$$tmp/out" 2>&1; \
	else \
		$(GO) test -count=1 -v -run 'TestStreamLatencyFigures|TestHungModelFigure' ./api/ -streambench 30 >"$$tmp/out" 2>&1; \
	fi; st=$$?; grep -E '_test.go:[0-9]+: (streamed prep|JSON prep)|^(ok|FAIL)' "$$tmp/out"; [ $$st -eq 0 ] || { tail -50 "$$tmp/out"; exit $$st; }

# screenshots runs the browser tests and keeps their screenshots as the
# README's (needs Debian's chromium and a Japanese font: apt-get install
# chromium fonts-ipafont-gothic).
screenshots: build
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	TAIWA_E2E_REQUIRED=1 TAIWA_SCREENSHOTS=$(CURDIR)/docs/screenshots \
	$(BIN) pglite -data-dir "$$tmp" -- $(GO) test -count=1 -run 'TestManagerFlow|TestChatStreams|TestCuratorFlow|TestMemberReferral|TestUsersTokens|TestInsights|TestGuidanceUsage|TestRetrievalTests|TestNotifications' ./web/

check:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

clean:
	rm -rf bin
