# gwlbctl — see README.md for what each target does.
GO        ?= go
BIN       := bin/gwlbctl
PKGS      := ./...
FUZZTIME  ?= 20000x
# Packages whose tests need root, DPDK and network namespaces are tagged e2e.
E2E_TAGS  := e2e

.PHONY: all deps build test unit docker-check e2e bench fuzz demo lint clean

all: build

## deps: install the Debian packages the build and tests need (idempotent) and reserve hugepages
deps:
	./cmd/scripts/deps.sh

## build: compile bin/gwlbctl
build:
	$(GO) build -trimpath -o $(BIN) ./cmd/gwlbctl

## test: unit tests, the docker/ checks, then the end-to-end tests (root, DPDK, namespaces)
test: build unit docker-check e2e

unit:
	$(GO) vet $(PKGS)
	$(GO) test -count=1 $(PKGS)

## docker-check: hadolint and docker compose config on docker/ where installed (skipped with the reason otherwise)
docker-check: build
	./cmd/scripts/docker-check.sh

e2e: build
	./cmd/scripts/e2e.sh

## bench: packet-core benchmarks (ns/packet) and, with DPDK, the forwarder against dpdk-testpmd
bench: build
	./cmd/scripts/bench.sh

## fuzz: run every Fuzz* target for FUZZTIME on top of its seed corpus
fuzz:
	./cmd/scripts/fuzz.sh $(FUZZTIME)

## demo: bring up the demo topology and show traffic crossing it
demo: build
	./cmd/scripts/demo.sh

## lint: gofmt, go vet, and go.mod/go.sum as go mod tidy leaves them
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	@if ! $(GO) mod tidy -diff >/dev/null 2>&1; then echo "go.mod/go.sum are not tidy (run go mod tidy):"; $(GO) mod tidy -diff; exit 1; fi

clean:
	rm -rf bin
