#!/usr/bin/env bash
# `make demo`. Part 1, a scripted provisioning walk-through of gwlbctl's
# control plane: with the binary `make build` produced (bin/gwlbctl, or
# $GWLBCTL) and a temporary state file, it provisions the worked example
# topology with `apply`, then works with it the way the AWS CLI is used:
# tables, --query, endpoint acceptance, target health, and an error with
# its exit code. Part 2 (root, DPDK: `sudo make deps`), the main job: a
# client and a server on one subnet joined only through `gwlbctl serve`'s
# bump endpoint, two `gwlbctl appliance` targets, provisioned with the AWS
# CLI verbs; ping, a 10 MiB TCP transfer, UDP flows, a drop rule, endpoint
# acceptance and target deregistration applied live, a clean stop. Part 3:
# the inbound pattern through a routed endpoint (a VPC router namespace
# whose ingress route points at the endpoint's address), ending with
# `gwlbctl top --once --output table` against that serve.
# Non-interactive; touches nothing but a temp dir and the network
# namespaces it creates (deleted on exit, also on failure).
set -euo pipefail

cd "$(dirname "$0")/../.."
gwlbctl=${GWLBCTL:-$PWD/bin/gwlbctl}
if [ ! -x "$gwlbctl" ]; then
  echo "demo: $gwlbctl not found; run 'make build' first (or 'make demo')." >&2
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/gwlbctl-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
export GWLBCTL_STATE=$work/state.json
export GWLBCTL_REGION=us-east-1 GWLBCTL_ACCOUNT=123456789012
export COLUMNS=${COLUMNS:-160}
unset GWLBCTL_OUTPUT GWLBCTL_CONFIG AWS_REGION AWS_DEFAULT_REGION
export XDG_CONFIG_HOME=$work/config # no user config file

if [ -t 1 ]; then bold=$'\e[1m'; dim=$'\e[2m'; off=$'\e[0m'; else bold= dim= off=; fi
step() { printf '\n%s== %s ==%s\n' "$bold" "$*" "$off"; }
show() { printf '%s$ gwlbctl %s%s\n' "$dim" "$*" "$off"; "$gwlbctl" "$@"; }

step "1. Plan the worked example topology (configs/topology.yaml), changing nothing"
show apply -f configs/topology.yaml --dry-run

step "2. Apply it: two AZs, a gateway load balancer, 2 appliances, an endpoint service, 2 endpoints"
show apply -f configs/topology.yaml

step "3. Apply again: nothing to do"
show apply -f configs/topology.yaml

step "4. What was built"
show elbv2 describe-load-balancers --output table
show elbv2 describe-target-groups --output table \
  --query 'TargetGroups[].{Name:TargetGroupName,Protocol:Protocol,Port:Port,TargetType:TargetType,HealthCheck:HealthCheckProtocol}'
show ec2 describe-vpcs --output table --query "Vpcs[].{VpcId:VpcId,Cidr:CidrBlock,Name:Tags[?Key=='Name']|[0].Value}"
show ec2 describe-vpc-endpoints --output table \
  --query 'VpcEndpoints[].{Id:VpcEndpointId,Vpc:VpcId,Subnet:SubnetIds[0],State:State}'

lb=$("$gwlbctl" elbv2 describe-load-balancers --names inspection-gwlb --query 'LoadBalancers[0].LoadBalancerArn' --output text)
tg=$("$gwlbctl" elbv2 describe-target-groups --names appliances --query 'TargetGroups[0].TargetGroupArn' --output text)
svc=$("$gwlbctl" ec2 describe-vpc-endpoint-service-configurations --query 'ServiceConfigurations[0].ServiceId' --output text)
svc_name=$("$gwlbctl" ec2 describe-vpc-endpoint-service-configurations --query 'ServiceConfigurations[0].ServiceName' --output text)
echo "load balancer: $lb"
echo "target group:  $tg"
echo "service:       $svc_name"

step "5. Target health (initial until the forwarder's health checker has run)"
show elbv2 describe-target-health --target-group-arn "$tg" --output table

step "6. Add a third appliance, the AWS CLI way"
show elbv2 register-targets --target-group-arn "$tg" --targets Id=10.0.1.11
show elbv2 describe-target-health --target-group-arn "$tg" \
  --query 'TargetHealthDescriptions[].[Target.Id,Target.AvailabilityZone,TargetHealth.State,TargetHealth.Reason]' --output text

step "7. A new consumer asks for an endpoint: pendingAcceptance until the provider accepts"
vpc=$("$gwlbctl" ec2 create-vpc --cidr-block 192.168.0.0/16 --query Vpc.VpcId --output text)
subnet=$("$gwlbctl" ec2 create-subnet --vpc-id "$vpc" --cidr-block 192.168.1.0/24 \
  --availability-zone us-east-1a --query Subnet.SubnetId --output text)
ep=$("$gwlbctl" ec2 create-vpc-endpoint --vpc-endpoint-type GatewayLoadBalancer \
  --service-name "$svc_name" --vpc-id "$vpc" --subnet-ids "$subnet" --query VpcEndpoint.VpcEndpointId --output text)
show ec2 describe-vpc-endpoint-connections --output table \
  --query 'VpcEndpointConnections[].{Endpoint:VpcEndpointId,State:VpcEndpointState,Owner:VpcEndpointOwner}'
show ec2 accept-vpc-endpoint-connections --service-id "$svc" --vpc-endpoint-ids "$ep"
show ec2 describe-vpc-endpoints --vpc-endpoint-ids "$ep" --query 'VpcEndpoints[0].State' --output text

step "8. Rules hold: a second listener is refused, with AWS's error code and exit status 254"
spare=$("$gwlbctl" elbv2 create-target-group --name spare --protocol GENEVE --port 6081 \
  --vpc-id "$("$gwlbctl" elbv2 describe-target-groups --names appliances --query 'TargetGroups[0].VpcId' --output text)" \
  --query 'TargetGroups[0].TargetGroupArn' --output text)
set +e
show elbv2 create-listener --load-balancer-arn "$lb" --default-actions Type=forward,TargetGroupArn="$spare"
status=$?
set -e
echo "exit status: $status"
[ "$status" -eq 254 ]

step "9. Turn cross-zone on and drain an appliance"
show elbv2 modify-load-balancer-attributes --load-balancer-arn "$lb" \
  --attributes Key=load_balancing.cross_zone.enabled,Value=true --output table
show elbv2 deregister-targets --target-group-arn "$tg" --targets Id=10.0.2.10
show elbv2 describe-target-health --target-group-arn "$tg" --output table

step "10. The state file: JSON with a schema version and a revision"
head -c 400 "$GWLBCTL_STATE"; echo " ..."
printf '\n%sPart 1 complete: the control plane provisioned a GWLB topology end to end.%s\n' "$bold" "$off"
part1_done() { printf '%sDemo complete (control plane only): %s%s\n' "$bold" "$1" "$off"; exit 0; }

# ---------------------------------------------------------------------------
# Part 2: the forwarder moves real traffic. A client and a server on ONE
# subnet, joined only through `gwlbctl serve`'s bump endpoint; two
# appliances (`gwlbctl appliance`) behind the load balancer; everything in
# network namespaces this script creates and deletes. Needs root, DPDK and
# hugepages (`sudo make deps`); GWLBCTL_DEMO_FORWARDER=0 skips it.
if [ "${GWLBCTL_DEMO_FORWARDER:-1}" = 0 ]; then part1_done "GWLBCTL_DEMO_FORWARDER=0 skips the forwarder."; fi
if [ "$(id -u)" -ne 0 ] || ! pkg-config --exists libdpdk 2>/dev/null; then
  part1_done "the forwarder part needs root and DPDK; run 'sudo make deps && sudo make demo'."
fi
for tool in ip ping ethtool python3; do
  command -v "$tool" >/dev/null || { echo "demo: $tool not found; run 'sudo make deps'." >&2; exit 1; }
done

id=$$
ns_client=gwd$id-client ns_server=gwd$id-server ns_node=gwd$id-node ns_net=gwd$id-appnet
ns_app1=gwd$id-app1 ns_app2=gwd$id-app2
namespaces=("$ns_client" "$ns_server" "$ns_node" "$ns_net" "$ns_app1" "$ns_app2")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  for n in "${namespaces[@]}"; do ip netns del "$n" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
# Background processes are started with `ip netns exec` directly (it execs
# the command), so $! is the process itself and cleanup can stop it.
inns() { local n=$1; shift; ip netns exec "$n" "$@"; }
run() { printf '%s$ %s%s\n' "$dim" "$*" "$off"; "$@"; }
# start_serve CONFIG LOG: gwlbctl serve in the node namespace with
# $work/CONFIG, its log in $work/LOG; serve_pid is its pid, and the demo
# goes on once it forwards (or stops, printing the log).
start_serve() {
  printf '%s$ gwlbctl serve --node-config %s%s\n' "$dim" "$1" "$off"
  ip netns exec "$ns_node" "$gwlbctl" serve --node-config "$work/$1" >"$work/$2" 2>&1 &
  serve_pid=$!
  pids+=($serve_pid)
  for _ in $(seq 1 100); do grep -q 'node: forwarding' "$work/$2" && break; sleep 0.2; done
  grep -q 'node: forwarding' "$work/$2" || { echo "serve did not start:"; cat "$work/$2"; exit 1; }
}
export GWLBCTL_STATE=$work/forwarder-state.json

# Traffic and stats helpers (python3 only, no other tools needed).
cat >"$work/traffic.py" <<'PY'
import hashlib, http.server, json, os, socket, socketserver, sys, threading, time, urllib.request
cmd = sys.argv[1]
if cmd == "http-serve":            # DIR ADDR PORT: serve files
    os.chdir(sys.argv[2])
    class H(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a): pass
    http.server.ThreadingHTTPServer((sys.argv[3], int(sys.argv[4])), H).serve_forever()
elif cmd == "fetch":               # URL: download, print size and sha256
    h, n = hashlib.sha256(), 0
    with urllib.request.urlopen(sys.argv[2], timeout=20) as r:
        while True:
            b = r.read(1 << 16)
            if not b: break
            h.update(b); n += len(b)
    print(n, h.hexdigest())
elif cmd == "udp-echo":            # ADDR PORT
    s = socket.socket(socket.AF_INET6 if ":" in sys.argv[2] else socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((sys.argv[2], int(sys.argv[3])))
    while True:
        d, a = s.recvfrom(65535); s.sendto(d, a)
elif cmd == "udp-flows":           # ADDR PORT FLOWS: one datagram per flow, count echoes
    ok = 0
    for i in range(int(sys.argv[4])):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1)
        s.sendto(b"demo %d" % i, (sys.argv[2], int(sys.argv[3])))
        try:
            s.recvfrom(2048); ok += 1
        except socket.timeout:
            pass
    print("%d/%s UDP flows echoed" % (ok, sys.argv[4]))
elif cmd == "appliance":           # URL: per-appliance summary of GET /stats
    d = json.load(urllib.request.urlopen(sys.argv[2], timeout=5))
    both = sum(1 for f in d["flows"] if f["packets_a_to_b"] and f["packets_b_to_a"])
    print("received %d, returned %d, dropped %d (rules %s), flows %d (%d seen in both directions)" % (
        d["received_packets"], d["returned_packets"], d["dropped_packets"], d["rule_hits"], len(d["flows"]), both))
elif cmd == "serve":               # SOCKET PATH: GET over serve's unix socket
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[2])
    s.sendall(b"GET %s HTTP/1.0\r\nHost: serve\r\n\r\n" % sys.argv[3].encode())
    body = b""
    while True:
        b = s.recv(65536)
        if not b: break
        body += b
    d = json.loads(body.split(b"\r\n\r\n", 1)[1])
    if sys.argv[3] == "/stats":
        t = d["totals"]
        print("encap %d, decap %d, bridged %d, new flows %d, active flows %d" % (
            t["encap_packets"], t["decap_packets"], t["bridged_packets"], t["new_flows"], t["active_flows"]))
        print("drops: " + (", ".join("%s=%d" % kv for kv in sorted(t["drops"].items()) if kv[1]) or "none"))
        print("endpoints: " + ", ".join("%s %s" % (e["id"], e["state"]) for e in d["endpoints"] or []))
        print("targets: " + ", ".join("%s %s (%d new flows, %d active)" % (x["ip"], x["state"], x["new_flows"], x["active_flows"]) for x in d["targets"] or []))
    else:
        for f in d["flows"][:8]:
            print("%-22s -> %-22s proto %-3d target %-12s cookie %08x packets %s" % (
                f["src"], f["dst"], f["proto"], f["target_ip"], f["cookie"], f["packets"]))
        print("(%d flows of the top %d by bytes)" % (len(d["flows"]), d["limit"]))
PY
py() { python3 "$work/traffic.py" "$@"; }

step "11. The lab: client and server on one subnet (198.18.0.0/24, fd77::/64), joined only through the node"
for n in "${namespaces[@]}"; do ip netns add "$n"; ip -n "$n" link set lo up; done
ip -n "$ns_node" link add epa type veth peer name c0 netns "$ns_client"
ip -n "$ns_node" link add epb type veth peer name s0 netns "$ns_server"
ip -n "$ns_node" link add app type veth peer name p0 netns "$ns_net"
ip -n "$ns_node" link set app address 02:77:00:00:00:0a mtu 9000
ip -n "$ns_net" link add br0 type bridge
ip -n "$ns_net" link set br0 mtu 9000 up
ip -n "$ns_client" addr add 198.18.0.1/24 dev c0
ip -n "$ns_client" addr add fd77::1/64 dev c0 nodad
ip -n "$ns_server" addr add 198.18.0.2/24 dev s0
ip -n "$ns_server" addr add fd77::2/64 dev s0 nodad
i=1
for pair in "$ns_app1 198.19.0.11" "$ns_app2 198.19.0.12"; do
  set -- $pair
  ip -n "$1" link add e0 type veth peer name "p$i" netns "$ns_net"
  ip -n "$1" addr add "$2/24" dev e0
  ip -n "$1" link set e0 mtu 9000 up
  i=$((i + 1))
done
for p in p0 p1 p2; do ip -n "$ns_net" link set "$p" mtu 9000 master br0 up; done
for d in epa epb app; do ip -n "$ns_node" link set "$d" up; done
ip -n "$ns_client" link set c0 up
ip -n "$ns_server" link set s0 up
# Hosts sending through an AF_PACKET forwarder must finish their checksums
# and segments themselves (a NIC would).
inns "$ns_client" ethtool -K c0 tx off tso off gso off gro off >/dev/null 2>&1 || true
inns "$ns_server" ethtool -K s0 tx off tso off gso off gro off >/dev/null 2>&1 || true
inns "$ns_app1" ethtool -K e0 tx off tso off gso off gro off >/dev/null 2>&1 || true
inns "$ns_app2" ethtool -K e0 tx off tso off gso off gro off >/dev/null 2>&1 || true
echo "namespaces: ${namespaces[*]}"

step "12. Provision it the AWS CLI way: load balancer, 2 appliances, listener, endpoint service, endpoint"
vpc=$("$gwlbctl" ec2 create-vpc --cidr-block 198.19.0.0/16 --query Vpc.VpcId --output text)
sub=$("$gwlbctl" ec2 create-subnet --vpc-id "$vpc" --cidr-block 198.19.0.0/24 --availability-zone us-east-1a --query Subnet.SubnetId --output text)
lb=$("$gwlbctl" elbv2 create-load-balancer --name demo-gwlb --type gateway --subnets "$sub" --query 'LoadBalancers[0].LoadBalancerArn' --output text)
tg=$("$gwlbctl" elbv2 create-target-group --name demo-appliances --protocol GENEVE --port 6081 --vpc-id "$vpc" --target-type ip \
  --query 'TargetGroups[0].TargetGroupArn' --output text)
show elbv2 register-targets --target-group-arn "$tg" --targets Id=198.19.0.11 Id=198.19.0.12
"$gwlbctl" elbv2 create-listener --load-balancer-arn "$lb" --default-actions Type=forward,TargetGroupArn="$tg" >/dev/null
svc=$("$gwlbctl" ec2 create-vpc-endpoint-service-configuration --gateway-load-balancer-arns "$lb" --acceptance-required \
  --query ServiceConfiguration.ServiceId --output text)
svc_name=$("$gwlbctl" ec2 describe-vpc-endpoint-service-configurations --service-ids "$svc" --query 'ServiceConfigurations[0].ServiceName' --output text)
cvpc=$("$gwlbctl" ec2 create-vpc --cidr-block 198.18.0.0/16 --query Vpc.VpcId --output text)
csub=$("$gwlbctl" ec2 create-subnet --vpc-id "$cvpc" --cidr-block 198.18.0.0/24 --availability-zone us-east-1a --query Subnet.SubnetId --output text)
ep=$("$gwlbctl" ec2 create-vpc-endpoint --vpc-endpoint-type GatewayLoadBalancer --service-name "$svc_name" \
  --vpc-id "$cvpc" --subnet-ids "$csub" --query VpcEndpoint.VpcEndpointId --output text)
show ec2 describe-vpc-endpoints --vpc-endpoint-ids "$ep" --query 'VpcEndpoints[0].[VpcEndpointId,State]' --output text

step "13. Two appliances (gwlbctl appliance; the first one drops UDP port 5353) and the node (gwlbctl serve)"
"$gwlbctl" appliance --help >/dev/null
ip netns exec "$ns_app1" "$gwlbctl" appliance --listen 198.19.0.11:6081 --http 198.19.0.11:8080 --health-tcp 198.19.0.11:80 --drop udp:5353 >"$work/app1.log" 2>&1 &
pids+=($!)
ip netns exec "$ns_app2" "$gwlbctl" appliance --listen 198.19.0.12:6081 --http 198.19.0.12:8080 --health-tcp 198.19.0.12:80 >"$work/app2.log" 2>&1 &
pids+=($!)
cat >"$work/node.yaml" <<YAML
load-balancer: demo-gwlb
availability-zone: us-east-1a
state: $GWLBCTL_STATE
appliance:
  device: net_af_packet0,iface=app
  address: 198.19.0.10/24
  tap: gwlb0
endpoints:
  - id: $ep
    mode: bump
    side-a: net_af_packet1,iface=epa
    side-b: net_af_packet2,iface=epb
flows:
  capacity: 65536
stats:
  interval: 5s
api:
  socket: $work/serve.sock
YAML
sed 's/^/    /' "$work/node.yaml"
start_serve node.yaml serve.log
grep -E 'node: (forwarding|config published)' "$work/serve.log" | sed 's/^/    /'

step "14. The endpoint is pendingAcceptance: the wire passes nothing"
run inns "$ns_client" ping -c 2 -W 1 198.18.0.2 || true
py serve "$work/serve.sock" /stats

step "15. Accept it: serve applies the change live, no restart"
show ec2 accept-vpc-endpoint-connections --service-id "$svc" --vpc-endpoint-ids "$ep" --query 'Unsuccessful' --output text
sleep 0.5
for _ in 1 2 3 4 5; do inns "$ns_client" ping -c 1 -W 1 198.18.0.2 >/dev/null && break; done
run inns "$ns_client" ping -c 3 -i 0.2 198.18.0.2
run inns "$ns_server" ping -6 -c 3 -i 0.2 fd77::1

step "16. TCP: 10 MiB over HTTP, checksummed at both ends"
mkdir -p "$work/www"
head -c $((10 << 20)) /dev/urandom >"$work/www/blob"
ip netns exec "$ns_server" python3 "$work/traffic.py" http-serve "$work/www" 198.18.0.2 8000 &
pids+=($!)
sleep 0.5
want=$(sha256sum "$work/www/blob" | cut -d' ' -f1)
got=$(inns "$ns_client" python3 "$work/traffic.py" fetch http://198.18.0.2:8000/blob)
echo "server file sha256 $want"
echo "client received    ${got}"
[ "${got#* }" = "$want" ] && echo "checksums match"

step "17. UDP: 40 flows spread over both appliances, each flow's two directions through one appliance"
ip netns exec "$ns_server" python3 "$work/traffic.py" udp-echo 198.18.0.2 7000 &
pids+=($!)
ip netns exec "$ns_server" python3 "$work/traffic.py" udp-echo 198.18.0.2 5353 &
pids+=($!)
sleep 0.3
inns "$ns_client" python3 "$work/traffic.py" udp-flows 198.18.0.2 7000 40
echo "appliance 1: $(inns "$ns_app1" python3 "$work/traffic.py" appliance 'http://198.19.0.11:8080/stats?flows=-1')"
echo "appliance 2: $(inns "$ns_app2" python3 "$work/traffic.py" appliance 'http://198.19.0.12:8080/stats?flows=-1')"
echo "serve's flow table (GET /flows on its unix socket):"
py serve "$work/serve.sock" "/flows?sort=bytes&limit=1000"

step "18. An appliance rule blocks exactly its traffic: UDP 5353 dies on appliance 1 only"
inns "$ns_client" python3 "$work/traffic.py" udp-flows 198.18.0.2 5353 20
echo "appliance 1: $(inns "$ns_app1" python3 "$work/traffic.py" appliance 'http://198.19.0.11:8080/stats?flows=-1')"

step "19. Deregister appliance 2: it drains, new flows go to appliance 1 only"
show elbv2 deregister-targets --target-group-arn "$tg" --targets Id=198.19.0.12
sleep 0.5
before2=$(inns "$ns_app2" python3 "$work/traffic.py" appliance 'http://198.19.0.12:8080/stats?flows=-1')
inns "$ns_client" python3 "$work/traffic.py" udp-flows 198.18.0.2 7000 20
echo "appliance 2 before: $before2"
echo "appliance 2 after:  $(inns "$ns_app2" python3 "$work/traffic.py" appliance 'http://198.19.0.12:8080/stats?flows=-1')"
py serve "$work/serve.sock" /stats

step "20. Stop the node with SIGTERM: clean exit, final stats"
kill -TERM "$serve_pid"
status=0
wait "$serve_pid" || status=$?
echo "serve exited with status $status"
grep 'node: final stats' "$work/serve.log" | sed 's/^/    /'

# ---------------------------------------------------------------------------
# Part 3: the inbound pattern with a routed endpoint, as on EC2 where a
# bump wire cannot work: a VPC router namespace whose internet gateway
# edge route sends the application subnet's traffic to the endpoint's
# address (10.0.1.10), serve's routed port on the endpoint subnet with its
# own TAP, the same appliances. The server sees the client's own address.
ns_vpc=gwd$id-vpc ns_inet=gwd$id-inet ns_web=gwd$id-web
namespaces+=("$ns_vpc" "$ns_inet" "$ns_web")

step "21. The inbound pattern, routed: internet client -> internet gateway's ingress route -> endpoint 10.0.1.10 -> appliance -> web server"
for n in "$ns_vpc" "$ns_inet" "$ns_web"; do ip netns add "$n"; ip -n "$n" link set lo up; done
ip -n "$ns_inet" link add c0 type veth peer name i0 netns "$ns_vpc"
ip -n "$ns_node" link add rt0 type veth peer name e0 netns "$ns_vpc"
ip -n "$ns_web" link add s0 type veth peer name a0 netns "$ns_vpc"
ip -n "$ns_node" link set rt0 address 02:77:00:00:01:0a up
ip -n "$ns_inet" addr add 203.0.113.10/24 dev c0
ip -n "$ns_web" addr add 10.0.2.20/24 dev s0
ip -n "$ns_vpc" addr add 203.0.113.1/24 dev i0
ip -n "$ns_vpc" addr add 10.0.1.1/24 dev e0
ip -n "$ns_vpc" addr add 10.0.2.1/24 dev a0
for pair in "$ns_inet c0" "$ns_web s0" "$ns_vpc i0" "$ns_vpc e0" "$ns_vpc a0"; do
  set -- $pair
  ip -n "$1" link set "$2" up
  inns "$1" ethtool -K "$2" tx off tso off gso off gro off >/dev/null 2>&1 || true
done
ip -n "$ns_inet" route add default via 203.0.113.1
ip -n "$ns_web" route add default via 10.0.2.1
for k in net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
  net.ipv4.conf.i0.rp_filter=0 net.ipv4.conf.e0.rp_filter=0 net.ipv4.conf.a0.rp_filter=0; do
  inns "$ns_vpc" sysctl -qw "$k"
done
# The VPC router's route tables, by where a packet comes from, pointing
# at the endpoint's address as AWS's point at its vpce- id.
run ip -n "$ns_vpc" route add 10.0.2.0/24 via 10.0.1.10 table 100
run ip -n "$ns_vpc" rule add iif i0 lookup 100
run ip -n "$ns_vpc" route add default via 10.0.1.10 table 101
run ip -n "$ns_vpc" rule add iif a0 lookup 101

cvpc2=$("$gwlbctl" ec2 create-vpc --cidr-block 10.0.0.0/16 --query Vpc.VpcId --output text)
esub=$("$gwlbctl" ec2 create-subnet --vpc-id "$cvpc2" --cidr-block 10.0.1.0/24 --availability-zone us-east-1a --query Subnet.SubnetId --output text)
rep=$("$gwlbctl" ec2 create-vpc-endpoint --vpc-endpoint-type GatewayLoadBalancer --service-name "$svc_name" \
  --vpc-id "$cvpc2" --subnet-ids "$esub" --query VpcEndpoint.VpcEndpointId --output text)
"$gwlbctl" ec2 accept-vpc-endpoint-connections --service-id "$svc" --vpc-endpoint-ids "$rep" >/dev/null
show ec2 describe-vpc-endpoints --vpc-endpoint-ids "$rep" --query 'VpcEndpoints[0].[VpcEndpointId,SubnetIds[0],State]' --output text
cat >"$work/node-routed.yaml" <<YAML
load-balancer: demo-gwlb
availability-zone: us-east-1a
state: $GWLBCTL_STATE
appliance:
  device: net_af_packet0,iface=app
  address: 198.19.0.10/24
  tap: gwlb0
endpoints:
  - id: $rep
    mode: routed
    device: net_af_packet1,iface=rt0
    address: 10.0.1.10/24
    gateway: 10.0.1.1
    tap: gwlbe0
flows:
  capacity: 65536
stats:
  interval: 5s
api:
  socket: $work/routed.sock
YAML
sed 's/^/    /' "$work/node-routed.yaml"
start_serve node-routed.yaml serve-routed.log
grep 'node: forwarding' "$work/serve-routed.log" | sed 's/^/    /'
echo "the endpoint answers ARP and ping on its subnet through its TAP:"
run inns "$ns_vpc" ping -c 2 -i 0.2 10.0.1.10
for _ in 1 2 3 4 5; do inns "$ns_inet" ping -c 1 -W 1 10.0.2.20 >/dev/null && break; done
run inns "$ns_inet" ping -c 3 -i 0.2 10.0.2.20

step "22. 10 MiB over HTTP from the web server to the internet client, through the routed endpoint"
ip netns exec "$ns_web" python3 "$work/traffic.py" http-serve "$work/www" 10.0.2.20 8000 &
pids+=($!)
sleep 0.5
got=$(inns "$ns_inet" python3 "$work/traffic.py" fetch http://10.0.2.20:8000/blob)
echo "server file sha256 $want"
echo "client received    ${got}"
[ "${got#* }" = "$want" ] && echo "checksums match"
echo "the web server's side of the connection: the client's own address, no SNAT"
run inns "$ns_web" ss -tan '( sport = :8000 )'
echo "appliance 1: $(inns "$ns_app1" python3 "$work/traffic.py" appliance 'http://198.19.0.11:8080/stats?flows=-1')"
echo "serve's flow table:"
py serve "$work/routed.sock" "/flows?sort=bytes&limit=1000"

step "23. The live view: gwlbctl top against this serve"
show top --once --output table --node "$work/routed.sock"

step "24. Stop the routed node"
kill -TERM "$serve_pid"
status=0
wait "$serve_pid" || status=$?
echo "serve exited with status $status"
printf '\n%sDemo complete: provisioned with the AWS CLI verbs, traffic crossed the appliances through gwlbctl serve, on a bump wire and through a routed endpoint.%s\n' "$bold" "$off"

