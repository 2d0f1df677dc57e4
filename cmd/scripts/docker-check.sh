#!/usr/bin/env bash
# Checks docker/ without building the image (no Docker engine is needed):
#  1. hadolint on docker/Dockerfile where it is installed; Debian 12 has no
#     hadolint package and its released binary is not fetched here, so
#     without it the rules it would check are those of go test ./docker/
#     (TestDockerfileRules: the DL rules this Dockerfile could break, two
#     stages, Debian 12's DPDK 22.11, runtime libraries that are real
#     Debian packages), which runs in any case, with the compose file's and
#     configs/node-ena.yaml's checks;
#  2. the DPDK libraries bin/gwlbctl links, each installed by name in the
#     Dockerfile's runtime stage;
#  3. docker compose config on docker/compose.yaml where Compose is
#     installed (the docker compose plugin, or docker-compose); skipped
#     with the reason otherwise.
set -euo pipefail
cd "$(dirname "$0")/../.."
status=0

if command -v hadolint >/dev/null 2>&1; then
  echo "docker-check: hadolint docker/Dockerfile"
  hadolint docker/Dockerfile || status=1
else
  echo "docker-check: hadolint is not installed (no Debian 12 package); its rules are checked by go test ./docker/ (TestDockerfileRules)"
fi
go test -count=1 ./docker/ || status=1

bin=bin/gwlbctl
if [ ! -x "$bin" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  bin=$tmp/gwlbctl
  go build -trimpath -o "$bin" ./cmd/gwlbctl
fi
libs=$(readelf -d "$bin" | awk '/NEEDED/ && /librte_/ { gsub(/[][]/, "", $5); print $5 }')
if [ -z "$libs" ]; then
  echo "docker-check: $bin links no DPDK library: cannot check the runtime stage" >&2
  status=1
fi
for lib in $libs; do
  pkg=$(dpkg -S "*/$lib" 2>/dev/null | head -n1 | cut -d: -f1)
  if [ -z "$pkg" ]; then
    echo "docker-check: no installed Debian package has $lib" >&2
    status=1
  elif ! grep -Eq "(^|[[:space:]])$pkg([[:space:]]|\$)" docker/Dockerfile; then
    echo "docker-check: gwlbctl links $lib (Debian package $pkg), which docker/Dockerfile's runtime stage does not install" >&2
    status=1
  fi
done
[ "$status" -eq 0 ] && echo "docker-check: the runtime stage installs every DPDK library gwlbctl links:" $libs

if docker compose version >/dev/null 2>&1; then
  echo "docker-check: docker compose config"
  docker compose -f docker/compose.yaml config -q || status=1
elif command -v docker-compose >/dev/null 2>&1; then
  echo "docker-check: docker-compose config"
  docker-compose -f docker/compose.yaml config -q || status=1
else
  echo "docker-check: skipping docker compose config: neither the docker compose plugin nor docker-compose is installed"
fi
exit $status
