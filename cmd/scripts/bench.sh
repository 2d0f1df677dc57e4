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

# --- forwarder: DPDK, the same ports and core for every contender -----------
# A generated pcap (thousands of flows, 60-1514 B size mix, TCP and UDP) is
# replayed by net_pcap (rx_pcap=FILE,infinite_rx=1) into net_null (no-rx=1,
# so nothing flows back), with one forwarding lcore (CPU 1), by:
#   testpmd  dpdk-testpmd --forward-mode=io (the reference: no packet work)
#   nopfwd   fastpath/dpdk's worker loop with a handler that only forwards
#            (what our Go<->C boundary costs on its own)
#   gwlbctl  gwlbctl serve on the same ports (encap, decap, new-flow mixes)
# Rounds interleave the contenders so a busy shared machine slows all alike;
# each figure is the median of per-second samples after a warm-up second.
BENCH_SECONDS=${BENCH_SECONDS:-4}
BENCH_ROUNDS=${BENCH_ROUNDS:-3}
EAL_ARGS="-l 0,1 --main-lcore 0 --in-memory --no-pci --no-telemetry --log-level=notice"

if [ "$(id -u)" -ne 0 ] || ! command -v dpdk-testpmd >/dev/null 2>&1 || ! pkg-config --exists libdpdk; then
  echo "== forwarder benchmarks skipped: they need root, hugepages and DPDK (run 'sudo make deps', then 'sudo make bench')"
  exit 0
fi

workdir=$(mktemp -d /tmp/gwlbctl-bench.XXXXXX)
trap 'rm -rf "$workdir"' EXIT
echo "== forwarder benchmarks: ${BENCH_ROUNDS} rounds x ${BENCH_SECONDS}s per contender and mix (workdir $workdir)"
go build -o "$workdir/nopfwd" ./fastpath/dpdk/internal/nopfwd
gen() { go run ./fastpath/dpdk/internal/pcapgen -o "$workdir/$1.pcap" "${@:2}"; }
gen encap -mode plain -flows 4096 -packets 16384
gen decap -mode geneve -flows 4096 -packets 16384
gen newflow -mode newflow -packets 65536
mixes=(encap decap newflow)

median() { sort -g | awk '{v[NR]=$1} END {if (NR==0) print "0"; else if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

# testpmd_mpps PCAP: io forwarding pcap -> null; Mpps from testpmd's own
# per-second Tx-pps (both ports summed; only the null port transmits).
testpmd_mpps() {
  local pcap=$1 pkts mbufs
  pkts=$(go run ./fastpath/dpdk/internal/pcapgen -count "$pcap")
  mbufs=$((pkts + 32768))
  # shellcheck disable=SC2086
  timeout -s INT $((BENCH_SECONDS + 2)) stdbuf -o0 dpdk-testpmd $EAL_ARGS \
    --vdev "net_pcap0,rx_pcap=$pcap,infinite_rx=1" --vdev "net_null0,no-rx=1" -- \
    --forward-mode=io --nb-cores=1 --total-num-mbufs="$mbufs" --stats-period=1 \
    </dev/null >"$workdir/testpmd.log" 2>&1 || true
  grep -a 'Tx-pps:' "$workdir/testpmd.log" | awk '{print $2}' |
    awk 'NR%2==1 {a=$1; next} {printf "%.2f\n", (a+$1)/1e6}' | tail -n +3 | median
}

# nopfwd_mpps PCAP: fastpath/dpdk's loop with a forward-only handler.
nopfwd_mpps() {
  "$workdir/nopfwd" -eal "$EAL_ARGS" -seconds "$BENCH_SECONDS" \
    -rx "net_pcap0,rx_pcap=$1,infinite_rx=1" -tx "net_null0,no-rx=1" 2>"$workdir/nopfwd.log" |
    sed -n 's/^mpps=//p'
}

# gwlbctl_mpps MIX PCAP: gwlbctl serve on the same ports for BENCH_SECONDS,
# rate from the packets its sink port transmitted between two readings of
# its stats file (written every second), after a warm-up second.
gwlbctl_mpps() {
  local mix=$1 pcap=$2 cfg="$workdir/node-$1.yaml"
  # TODO(serve): write the node config and state for this mix into $cfg:
  # the pcap on the port whose role the mix exercises (encap: a bump side;
  # decap/newflow: see the mix), the appliance or other side on
  # net_null0,no-rx=1, static neighbours instead of a TAP, stats.file set
  # to $workdir/stats-$mix.json. Until then the gwlbctl figures are n/a.
  if [ ! -s "$cfg" ] || [ ! -x bin/gwlbctl ]; then
    echo "n/a"
    return
  fi
  local stats="$workdir/stats-$mix.json"
  bin/gwlbctl serve --node-config "$cfg" >"$workdir/serve-$mix.log" 2>&1 &
  local pid=$!
  sleep 2
  local a b
  a=$(python3 -c 'import json,sys;d=json.load(open(sys.argv[1]));print(d["uptime_seconds"],sum(p["TxPackets"] for p in d["ports"]))' "$stats" 2>/dev/null || echo "0 0")
  sleep "$BENCH_SECONDS"
  b=$(python3 -c 'import json,sys;d=json.load(open(sys.argv[1]));print(d["uptime_seconds"],sum(p["TxPackets"] for p in d["ports"]))' "$stats" 2>/dev/null || echo "0 0")
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "$a $b" | awk '{ if ($3 > $1) printf "%.2f\n", ($4-$2)/($3-$1)/1e6; else print "n/a" }'
}

declare -A samples
for round in $(seq 1 "$BENCH_ROUNDS"); do
  for mix in "${mixes[@]}"; do
    pcap="$workdir/$mix.pcap"
    samples[testpmd_$mix]+="$(testpmd_mpps "$pcap") "
    samples[nopfwd_$mix]+="$(nopfwd_mpps "$pcap") "
    samples[gwlbctl_$mix]+="$(gwlbctl_mpps "$mix" "$pcap") "
  done
  echo "   round $round/$BENCH_ROUNDS done"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || b+0 == 0) print "n/a"; else printf "%.2f\n", a/b }'; }
pick() { if echo "$1" | grep -q 'n/a'; then echo "n/a"; else echo "$1" | tr ' ' '\n' | grep . | median; fi; }
for mix in "${mixes[@]}"; do
  t=$(pick "${samples[testpmd_$mix]}")
  n=$(pick "${samples[nopfwd_$mix]}")
  g=$(pick "${samples[gwlbctl_$mix]}")
  printf "%-8s testpmd_mpps=%-7s nopfwd_mpps=%-7s gwlbctl_mpps=%-7s ratio_nopfwd=%s  (samples testpmd: %s| nopfwd: %s)\n" \
    "$mix" "$t" "$n" "$g" "$(ratio "$n" "$t")" "${samples[testpmd_$mix]}" "${samples[nopfwd_$mix]}"
  eval "ratio_$mix=\$(ratio \"\$g\" \"\$t\")"
done
echo "ratio_encap=$ratio_encap"
echo "ratio_decap=$ratio_decap"
echo "ratio_newflow=$ratio_newflow"
