#!/usr/bin/env bash
# make bench: packet-core benchmarks (ns/packet), then (when present) the
# DPDK forwarder against dpdk-testpmd.
set -euo pipefail
cd "$(dirname "$0")/../.."

# --- packet core: fastpath/engine, pure Go, no NIC ---------------------------
# Each figure is per packet, with the flow table holding 4k flows (in cache)
# and 1M flows visited in random order. ns/pkt is wall time; cpu-ns/pkt is
# the CPU time of the benchmark's thread (honest on a shared machine, where
# other processes steal the core). Both include ~6-8 ns of presenting a
# fresh frame (BenchmarkFramePrep).
ENGINE_BENCHTIME=${ENGINE_BENCHTIME:-5000000x}
echo "== fastpath/engine benchmarks (benchtime $ENGINE_BENCHTIME)"
out=$(go test -run '^$' -bench 'EncapEstablished|Decap|NewFlow|FramePrep' \
  -benchtime "$ENGINE_BENCHTIME" -count 1 ./fastpath/engine/)
echo "$out" | grep -E '^(Benchmark|goos|goarch|cpu)'
echo "$out" | awk '
  /^Benchmark/ {
    name=$1; sub(/-[0-9]+$/, "", name)
    ns=""; cpu=""; allocs=""
    for (i = 2; i <= NF; i++) {
      if ($i == "ns/pkt") ns=$(i-1)
      if ($i == "cpu-ns/pkt") cpu=$(i-1)
      if ($i == "allocs/op") allocs=$(i-1)
    }
    goal=""
    if (name ~ /EncapEstablished\/4k|Decap\/4k/) goal="<= 50"
    if (name ~ /EncapEstablished\/1M|Decap\/1M/) goal="<= 100"
    if (name ~ /NewFlow/) goal="<= 150"
    printf "%-34s %8s ns/pkt %8s cpu-ns/pkt %3s allocs/pkt  goal %s\n", name, ns, cpu, allocs, goal
  }'
