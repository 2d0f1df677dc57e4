//go:build e2e

package main

// Setting up an end-to-end run: the provisioned resources, the
// appliances, serve and its config, and waiting on them.

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// provision creates, the way AWS's getting-started guide does with the AWS
// CLI: a provider VPC with the load balancer and the appliances, a target
// group with both appliances, a listener, an endpoint service that needs
// acceptance, and a consumer VPC with one Gateway Load Balancer endpoint
// (left pendingAcceptance).
func (e *e2e) provision() {
	name := "gwe-" + e.tp.suffix
	vpc := e.cli("ec2", "create-vpc", "--cidr-block", "198.19.0.0/16", "--query", "Vpc.VpcId", "--output", "text")
	subnet := e.cli("ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", "198.19.0.0/24", "--availability-zone", "us-east-1a",
		"--query", "Subnet.SubnetId", "--output", "text")
	e.ids.lbArn = e.cli("elbv2", "create-load-balancer", "--name", name, "--type", "gateway", "--subnets", subnet,
		"--query", "LoadBalancers[0].LoadBalancerArn", "--output", "text")
	e.ids.tgArn = e.cli("elbv2", "create-target-group", "--name", name, "--protocol", "GENEVE", "--port", "6081",
		"--vpc-id", vpc, "--target-type", "ip", "--health-check-protocol", "TCP", "--health-check-port", "80",
		"--query", "TargetGroups[0].TargetGroupArn", "--output", "text")
	e.cli("elbv2", "modify-target-group-attributes", "--target-group-arn", e.ids.tgArn,
		"--attributes", "Key=deregistration_delay.timeout_seconds,Value=60")
	e.cli("elbv2", "register-targets", "--target-group-arn", e.ids.tgArn, "--targets", "Id="+appliance1, "Id="+appliance2)
	e.cli("elbv2", "create-listener", "--load-balancer-arn", e.ids.lbArn,
		"--default-actions", "Type=forward,TargetGroupArn="+e.ids.tgArn)
	e.ids.serviceID = e.cli("ec2", "create-vpc-endpoint-service-configuration", "--gateway-load-balancer-arns", e.ids.lbArn,
		"--acceptance-required", "--query", "ServiceConfiguration.ServiceId", "--output", "text")
	e.ids.serviceName = e.cli("ec2", "describe-vpc-endpoint-service-configurations", "--service-ids", e.ids.serviceID,
		"--query", "ServiceConfigurations[0].ServiceName", "--output", "text")
	cvpc := e.cli("ec2", "create-vpc", "--cidr-block", "198.18.0.0/16", "--query", "Vpc.VpcId", "--output", "text")
	csub := e.cli("ec2", "create-subnet", "--vpc-id", cvpc, "--cidr-block", "198.18.0.0/24", "--availability-zone", "us-east-1a",
		"--query", "Subnet.SubnetId", "--output", "text")
	e.ids.endpointID = e.cli("ec2", "create-vpc-endpoint", "--vpc-endpoint-type", "GatewayLoadBalancer",
		"--service-name", e.ids.serviceName, "--vpc-id", cvpc, "--subnet-ids", csub,
		"--query", "VpcEndpoint.VpcEndpointId", "--output", "text")
	if st := e.cli("ec2", "describe-vpc-endpoints", "--vpc-endpoint-ids", e.ids.endpointID,
		"--query", "VpcEndpoints[0].State", "--output", "text"); st != "pendingAcceptance" {
		e.t.Fatalf("new endpoint is %q, want pendingAcceptance", st)
	}
}

// startAppliances runs `gwlbctl appliance` in both appliance namespaces,
// each dropping UDP to port 7777 (the drop-rule check), with the extra
// flags given.
func (e *e2e) startAppliances(extra ...string) {
	for i, a := range []struct{ ns, ip string }{{e.tp.app1, appliance1}, {e.tp.app2, appliance2}} {
		logf := filepath.Join(e.dir, fmt.Sprintf("appliance%d%s.log", i+1, strings.Join(extra, "")))
		f, err := os.Create(logf)
		if err != nil {
			e.t.Fatal(err)
		}
		args := []string{"netns", "exec", a.ns, e.bin, "appliance",
			"--listen", a.ip + ":6081", "--health-tcp", a.ip + ":80", "--http", a.ip + ":8080", "--drop", "udp:7777"}
		cmd := exec.Command("ip", append(args, extra...)...)
		cmd.Stdout, cmd.Stderr = f, f
		if err := cmd.Start(); err != nil {
			e.t.Fatal(err)
		}
		e.apps[i] = cmd
		e.appStats[i] = "http://" + a.ip + ":8080/stats?flows=-1"
		e.t.Cleanup(func() {
			if cmd.ProcessState == nil {
				cmd.Process.Kill()
				cmd.Wait()
			}
			f.Close()
			if e.t.Failed() {
				b, _ := os.ReadFile(logf)
				e.t.Logf("appliance %d log:\n%s", i+1, tail(string(b), 30))
			}
		})
	}
	for _, ns := range []string{e.tp.app1, e.tp.app2} {
		e.waitFor(10*time.Second, "appliance listening in "+ns, func() bool {
			out, _ := inNS(ns, "ss", "-lun")
			return strings.Contains(out, ":6081")
		})
	}
}

// stopAppliances stops both appliances (SIGTERM, then waits for each).
func (e *e2e) stopAppliances() {
	e.t.Helper()
	for i, cmd := range e.apps {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			e.t.Fatalf("appliance %d did not stop within 10 s of SIGTERM", i+1)
		}
	}
	for _, ns := range []string{e.tp.app1, e.tp.app2} {
		e.waitFor(10*time.Second, "appliance gone in "+ns, func() bool {
			out, _ := inNS(ns, "ss", "-lun")
			return !strings.Contains(out, ":6081")
		})
	}
}

// writeNodeConfig writes the node config serve reads.
func (e *e2e) writeNodeConfig() string {
	e.stats = filepath.Join(e.dir, "serve-stats.json")
	cfg := fmt.Sprintf(`# gwlbctl serve node config for the end-to-end test
load-balancer: %s
availability-zone: us-east-1a
state: %s
eal:
  args: ["-l", "0,1", "--main-lcore", "0", "--in-memory", "--no-pci"]
appliance:
  device: net_af_packet0,iface=app
  address: %s/24
  tap: gwlb0
endpoints:
  - id: %s
    mode: bump
    side-a: net_af_packet1,iface=epa
    side-b: net_af_packet2,iface=epb
flows:
  capacity: 65536
stats:
  interval: 5s
  file: %s
api:
  socket: %s
`, e.ids.lbArn, e.state, nodeIP, e.ids.endpointID, e.stats, e.socket())
	p := filepath.Join(e.dir, "node.yaml")
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// startServe runs gwlbctl serve in the node namespace and waits until it
// forwards.
func (e *e2e) startServe(nodeConfig string) {
	e.serveLog = filepath.Join(e.dir, "serve.log")
	if e.serve != nil { // a restart: keep the earlier log
		e.serveLog = filepath.Join(e.dir, fmt.Sprintf("serve-%d.log", time.Now().UnixNano()))
	}
	f, err := os.Create(e.serveLog)
	if err != nil {
		e.t.Fatal(err)
	}
	cmd := exec.Command("ip", "netns", "exec", e.tp.node, e.bin, "serve", "--node-config", nodeConfig)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	e.serve = cmd
	logPath := e.serveLog
	e.t.Cleanup(func() {
		if cmd.ProcessState == nil {
			endServe(e.t, cmd.Process, cmd.Wait)
		}
		f.Close()
		if e.t.Failed() {
			b, _ := os.ReadFile(logPath)
			e.t.Logf("serve log %s:\n%s", filepath.Base(logPath), tail(string(b), 60))
		}
	})
	e.waitFor(60*time.Second, "serve forwarding", func() bool {
		b, _ := os.ReadFile(e.serveLog)
		if cmd.ProcessState != nil {
			return true
		}
		return strings.Contains(string(b), "node: forwarding")
	})
	if !strings.Contains(readFile(e.serveLog), "node: forwarding") {
		e.t.Fatalf("serve did not start:\n%s", readFile(e.serveLog))
	}
}

// serveStats reads serve's stats file (written every second).
func (e *e2e) serveStats() nodeStats {
	e.t.Helper()
	var s nodeStats
	b, err := os.ReadFile(e.stats)
	if err != nil {
		e.t.Fatalf("serve stats: %v", err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		e.t.Fatalf("serve stats: %v\n%s", err, b)
	}
	return s
}

// freshStats waits for a stats file written after now.
func (e *e2e) freshStats() nodeStats {
	e.t.Helper()
	after := time.Now()
	var s nodeStats
	e.waitFor(5*time.Second, "fresh serve stats", func() bool {
		s = e.serveStats()
		return s.Time.After(after)
	})
	return s
}

type nodeStats struct {
	Time     time.Time `json:"time"`
	Revision uint64    `json:"revision"`
	Totals   struct {
		EncapPackets uint64            `json:"encap_packets"`
		DecapPackets uint64            `json:"decap_packets"`
		Bridged      uint64            `json:"bridged_packets"`
		BridgedND    uint64            `json:"bridged_nd_packets"`
		NewFlows     uint64            `json:"new_flows"`
		Drops        map[string]uint64 `json:"drops"`
	} `json:"totals"`
	Endpoints []struct {
		ID    string `json:"id"`
		State string `json:"state"`
	} `json:"endpoints"`
	Targets []struct {
		IP       string `json:"ip"`
		State    string `json:"state"`
		NewFlows uint64 `json:"new_flows"`
	} `json:"targets"`
}

// published counts serve's "config published" log lines.
func (e *e2e) published() int {
	return strings.Count(readFile(e.serveLog), `msg="node: config published"`)
}

// changeState runs a control-plane command and returns how long serve
// took to publish a new config after the command returned (the state
// file is replaced when the command exits). Goal: within a second.
func (e *e2e) changeState(args ...string) time.Duration {
	e.t.Helper()
	n := e.published()
	e.cli(args...)
	written := time.Now()
	e.waitFor(3*time.Second, "serve to publish a new config", func() bool { return e.published() > n })
	d := time.Since(written)
	if d > time.Second {
		e.t.Errorf("serve applied %q after %v; goal: within a second", args[1], d)
	}
	return d
}

func (e *e2e) waitFor(d time.Duration, what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (e *e2e) ping(ns string, v6 bool, dst string, count int) error {
	args := []string{"-c", fmt.Sprint(count), "-i", "0.2", "-W", "1", dst}
	if v6 {
		args = append([]string{"-6"}, args...)
	}
	out, err := inNS(ns, "ping", args...)
	if err != nil {
		return fmt.Errorf("%v: %s", err, out)
	}
	return nil
}

func readFile(p string) string { b, _ := os.ReadFile(p); return string(b) }

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
