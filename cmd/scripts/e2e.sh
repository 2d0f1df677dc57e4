#!/usr/bin/env bash
# End-to-end tests: need root, DPDK and network namespaces. Each test creates
# uniquely named namespaces and deletes them on exit, even on failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "$(id -u)" -ne 0 ]; then
  echo "e2e: needs root (network namespaces, DPDK, hugepages); try 'sudo make test'." >&2
  exit 1
fi
go test -count=1 -tags e2e -timeout 20m -v ./cmd/gwlbctl/
