#!/usr/bin/env bash
# Runs every Fuzz* target in the module for a short time on top of its seed corpus.
set -euo pipefail
cd "$(dirname "$0")/../.."
fuzztime=${1:-10s}
status=0
for pkg in $(go list ./...); do
  for target in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
    echo "== fuzz $pkg $target ($fuzztime)"
    if ! go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" "$pkg"; then
      status=1
    fi
  done
done
exit $status
