//go:build e2e

package main

// End-to-end checks of the node itself within TestEndToEnd's topology: its
// API against the test's traffic, the exclusion of a second serve, the
// appliance MTU.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/gwlbctl/gwlbctl/control/api"
)

// apiFlows checks the API against the 32 UDP flows of
// UDPFlowsSymmetricAndSpread: filters, top-N, lookup, metrics.
func (e *e2e) apiFlows(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := e.api()
	filter, err := api.ParseFlowFilter("dst=" + serverIP4 + " port=7000 proto=udp endpoint=" + e.ids.endpointID)
	if err != nil {
		t.Fatal(err)
	}
	page, err := c.Flows(ctx, api.FlowsRequest{Filter: filter, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Flows) != 32 || page.NextCursor != "" {
		t.Fatalf("flows to %s:7000: %d (cursor %q), want the 32 of the UDP test", serverIP4, len(page.Flows), page.NextCursor)
	}
	for _, f := range page.Flows {
		if f.Dst.String() != serverIP4+":7000" || f.Proto != 17 || f.Endpoint != e.ids.endpointID || (f.Target != appliance1 && f.Target != appliance2) {
			t.Errorf("filtered flow %+v", f)
		}
	}
	// Filter by target: the two appliances share the 32 flows.
	n := 0
	for _, a := range []string{appliance1, appliance2} {
		f, _ := api.ParseFlowFilter("port=7000 target=" + a)
		p, err := c.Flows(ctx, api.FlowsRequest{Filter: f, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, fl := range p.Flows {
			if fl.Target != a {
				t.Errorf("target=%s listed a flow of %s", a, fl.Target)
			}
		}
		n += len(p.Flows)
	}
	if n != 32 {
		t.Errorf("flows per target sum to %d, want 32", n)
	}
	// Top 5 by packets, largest first.
	top, err := c.Flows(ctx, api.FlowsRequest{Sort: api.SortPackets, Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(top.Flows); i++ {
		a, b := top.Flows[i-1], top.Flows[i]
		if a.Packets[0]+a.Packets[1] < b.Packets[0]+b.Packets[1] {
			t.Errorf("top by packets out of order: %v then %v", a.Packets, b.Packets)
		}
	}
	// The target a live flow got is the one a lookup names.
	f := page.Flows[0]
	res, err := c.Lookup(ctx, api.LookupRequest{Endpoint: e.ids.endpointID, Proto: 17, Src: f.Src, Dst: f.Dst})
	if err != nil {
		t.Fatal(err)
	}
	if res.Target == nil || res.Target.ID != f.Target || res.Flow == nil || res.Flow.Cookie != f.Cookie {
		t.Errorf("lookup of %v -> %v: %+v (flow %+v)", f.Src, f.Dst, res, res.Flow)
	}
	// Metrics parse with Prometheus's own parser and count the traffic
	// (the workers publish their counters every 100 ms: wait for them).
	want := map[string]float64{"gwlb_active_flows": 32, "gwlb_new_flows_total": 32, "gwlb_processed_packets_total": 6 * 32}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		body, err := c.Metrics(ctx)
		if err != nil {
			t.Fatal(err)
		}
		parser := expfmt.NewTextParser(model.UTF8Validation)
		fams, err := parser.TextToMetricFamilies(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("/metrics does not parse: %v", err)
		}
		var problems []string
		for name, min := range want {
			fam := fams[name]
			if fam == nil || len(fam.Metric) != 1 {
				t.Fatalf("/metrics has no %s", name)
			}
			m := fam.Metric[0]
			if v := m.GetGauge().GetValue() + m.GetCounter().GetValue(); v < min {
				problems = append(problems, fmt.Sprintf("%s = %v, want at least %v", name, v, min))
			}
			for _, l := range m.Label {
				if l.GetName() == "availability_zone" && l.GetValue() != "us-east-1a" {
					t.Fatalf("%s zone %q", name, l.GetValue())
				}
			}
		}
		if len(problems) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/metrics after 5 s: %s", strings.Join(problems, "; "))
		}
	}
}

// apiEvents follows the event cursor from the start: the endpoint's
// acceptance and appliance 2's deregistration are there.
func (e *e2e) apiEvents(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var evs []api.Event
	for after := uint64(0); ; {
		p, err := e.api().Events(ctx, api.EventsRequest{After: after, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, p.Events...)
		if p.Next == after {
			break
		}
		after = p.Next
	}
	var accepted, drained bool
	for _, ev := range evs {
		accepted = accepted || ev.Kind == api.EventEndpoint && ev.Endpoint == e.ids.endpointID && ev.From == "pendingAcceptance" && ev.To == "available"
		drained = drained || ev.Kind == api.EventHealth && ev.Target == appliance2 && ev.To == "draining" && ev.Reason == "Target.DeregistrationInProgress"
	}
	if !accepted || !drained {
		b, _ := json.MarshalIndent(evs, "", "  ")
		t.Fatalf("events: accept %v, deregistration %v:\n%s", accepted, drained, b)
	}
}

// secondServe starts serve twice more while the first runs: on the same
// ports and socket, then on other ports with the same socket. Both must
// fail before touching anything, naming the running pid.
func (e *e2e) secondServe(t *testing.T) {
	pid := e.serve.Process.Pid
	run := func(nodeConfig string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, "ip", "netns", "exec", e.tp.node, e.bin, "serve", "--node-config", nodeConfig).CombinedOutput()
		return string(out), err
	}
	out, err := run(filepath.Join(e.dir, "node.yaml"))
	if err == nil || !strings.Contains(out, fmt.Sprintf("is in use by gwlbctl pid %d", pid)) || !strings.Contains(out, "appliance.device") {
		t.Errorf("a second serve on the same ports: %v\n%s", err, out)
	}
	other := filepath.Join(e.dir, "node-other-ports.yaml")
	cfg := fmt.Sprintf(`load-balancer: %s
availability-zone: us-east-1a
state: %s
appliance: {device: "net_null0,no-rx=1", address: %s/24, tap: ""}
endpoints: [{id: %s, side-a: "net_null1,no-rx=1", side-b: "net_null2,no-rx=1"}]
flows: {capacity: 4096}
api: {socket: %s}
`, e.ids.lbArn, e.state, nodeIP, e.ids.endpointID, e.socket())
	if err := os.WriteFile(other, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = run(other)
	if err == nil || !strings.Contains(out, fmt.Sprintf("API socket %s is in use by gwlbctl pid %d", e.socket(), pid)) {
		t.Errorf("a second serve on the same socket: %v\n%s", err, out)
	}
	if strings.Contains(out, "EAL") {
		t.Errorf("the refused serve started DPDK:\n%s", out)
	}
	// The first one goes on: it forwards and its socket answers.
	if e.serve.ProcessState != nil {
		t.Fatal("the first serve exited")
	}
	if err := e.ping(e.tp.client, false, serverIP4, 2); err != nil {
		t.Errorf("ping through the first serve: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if info, err := e.api().Info(ctx); err != nil || info.PID != pid {
		t.Errorf("the first serve's API: %+v %v", info, err)
	}
}

// applianceMTU restarts serve on an appliance network of 1500 bytes: a
// 1472-byte ping (a 1500-byte inner packet) is dropped as too_big, each
// one counted, and a smaller one passes.
func (e *e2e) applianceMTU(t *testing.T) {
	ipn(t, e.tp.node, "link", "set", "app", "mtu", "1500")
	e.startServe(filepath.Join(e.dir, "node.yaml"))
	if log := readFile(e.serveLog); !strings.Contains(log, "appliance_mtu=1500") || !strings.Contains(log, "inner_mtu=1432") {
		t.Fatalf("serve did not read the port's MTU:\n%s", tail(log, 20))
	}
	var err error
	for i := 0; i < 10; i++ { // the first packets wait for ARP of the targets
		if err = e.ping(e.tp.client, false, serverIP4, 1); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("ping after the restart: %v", err)
	}
	s0 := e.freshStats()
	if _, err := inNS(e.tp.client, "ping", "-c", "3", "-i", "0.2", "-W", "1", "-M", "do", "-s", "1472", serverIP4); err == nil {
		t.Error("a 1500-byte inner packet crossed an appliance network of MTU 1500")
	}
	s1 := e.freshStats()
	if d := s1.Totals.Drops["too_big"] - s0.Totals.Drops["too_big"]; d < 3 {
		t.Errorf("too_big +%d after three 1500-byte pings, want 3", d)
	}
	if err := e.ping(e.tp.client, false, serverIP4, 2); err != nil {
		t.Errorf("a small ping on the same path: %v", err)
	}
	if _, err := inNS(e.tp.client, "ping", "-c", "2", "-i", "0.2", "-W", "1", "-M", "do", "-s", "1404", serverIP4); err != nil {
		t.Errorf("a 1432-byte inner packet (the limit) did not cross: %v", err)
	}
	e.serve.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- e.serve.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve exit: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop within 15 s of SIGTERM")
	}
}
