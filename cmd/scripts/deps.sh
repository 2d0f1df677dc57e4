#!/usr/bin/env bash
# Installs what gwlbctl's build and tests need on Debian 12, and reserves
# hugepages for DPDK. Idempotent: packages already present are not fetched
# again. Needs root for apt and hugepages.
set -euo pipefail

packages=(
  build-essential pkg-config git ca-certificates
  dpdk dpdk-dev libdpdk-dev python3-pyelftools libpcap-dev
  iproute2 iputils-ping procps tcpdump tmux ethtool
  tshark  # independent Geneve decoder for the packet and golden-packet tests
  prometheus  # its promtool checks the /metrics exposition (control/api tests)
  # Test-only: the real clients of the AWS API (control/awsapi, api-server
  # tests): AWS CLI v2, boto3, and botocore, whose service models
  # `go generate ./control/awsapi` trims.
  awscli python3-boto3 python3-botocore
  etcd-server  # a real etcd for the etcd state backend's tests (each test starts its own)
)
hugepages=${GWLBCTL_HUGEPAGES:-1024}

if ! command -v go >/dev/null 2>&1; then
  echo "deps: Go is not on PATH. Install Go 1.26 or newer (https://go.dev/doc/install) and add it to PATH, then run 'make deps' again." >&2
  exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "deps: must run as root (apt-get and hugepages); try 'sudo make deps'." >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Only promtool is wanted: do not leave the Prometheus server this
  # install may have started running.
  if [[ " ${missing[*]} " == *" prometheus "* ]] && command -v systemctl >/dev/null 2>&1 &&
    systemctl is-enabled --quiet prometheus 2>/dev/null; then
    systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
  # Only the etcd binary is wanted: the tests start their own servers.
  if [[ " ${missing[*]} " == *" etcd-server "* ]] && command -v systemctl >/dev/null 2>&1 &&
    systemctl is-enabled --quiet etcd 2>/dev/null; then
    systemctl disable --now etcd >/dev/null 2>&1 || true
  fi
else
  echo "deps: Debian packages present"
fi
pkg-config --exists libdpdk || { echo "deps: libdpdk not found by pkg-config after install" >&2; exit 1; }

# Hugepages: 2 MiB pages for DPDK's mempools. A machine that cannot reserve
# them still runs everything with --no-huge (slower; serve logs it).
cur=$(cat /proc/sys/vm/nr_hugepages)
if [ "$cur" -lt "$hugepages" ]; then
  echo "$hugepages" > /proc/sys/vm/nr_hugepages || true
fi
if ! grep -qs ' /dev/hugepages hugetlbfs ' /proc/mounts; then
  mkdir -p /dev/hugepages
  mount -t hugetlbfs -o pagesize=2M nodev /dev/hugepages || true
fi
echo "deps: hugepages $(cat /proc/sys/vm/nr_hugepages) x 2 MiB (DPDK $(pkg-config --modversion libdpdk))"
go mod download
