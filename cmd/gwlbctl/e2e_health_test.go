//go:build e2e

package main

// End-to-end test of health checks: serve probes the appliances from its
// address through the appliance TAP, and what it sees decides where new
// flows go, shows in describe-target-health and stays in the state file.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/control/api"
)

// The fastest checks GWLB allows (control validates the same ranges).
const (
	hcInterval  = 5 * time.Second
	hcThreshold = 2
	hcNodeID    = "e2e-node-1"
)

// healthDeadline is how long a target may take to change state after its
// appliance changes: threshold probes, one interval until the first of
// them, and a margin for the snapshot and the state file.
const healthDeadline = (hcThreshold+1)*hcInterval + 5*time.Second

type targetHealth struct {
	ID, State, Reason, Description string
}

// describeHealth runs describe-target-health (JSON) and returns each
// target's health by id.
func (e *e2e) describeHealth() map[string]targetHealth {
	e.t.Helper()
	var out struct {
		TargetHealthDescriptions []struct {
			Target struct {
				Id   string
				Port int
			}
			HealthCheckPort string
			TargetHealth    struct{ State, Reason, Description string }
		}
	}
	raw := e.cli("elbv2", "describe-target-health", "--target-group-arn", e.ids.tgArn)
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		e.t.Fatalf("describe-target-health: %v\n%s", err, raw)
	}
	m := map[string]targetHealth{}
	for _, d := range out.TargetHealthDescriptions {
		if d.Target.Port != 6081 || d.HealthCheckPort == "" {
			e.t.Fatalf("describe-target-health entry not in AWS's shape: %s", raw)
		}
		h := d.TargetHealth
		m[d.Target.Id] = targetHealth{d.Target.Id, h.State, h.Reason, h.Description}
	}
	return m
}

// waitHealth waits until target id is in state (with reason, when not
// empty) in describe-target-health, and returns how long it took.
func (e *e2e) waitHealth(id, state, reason string) time.Duration {
	e.t.Helper()
	start := time.Now()
	var last targetHealth
	deadline := start.Add(healthDeadline)
	for {
		last = e.describeHealth()[id]
		if last.State == state && (reason == "" || last.Reason == reason) {
			d := time.Since(start)
			e.t.Logf("%s %s %s after %v", id, state, reason, d.Round(100*time.Millisecond))
			return d
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("%s is %+v after %v, want %s %s", id, last, healthDeadline, state, reason)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// fastHealthChecks sets the target group's checks to hcInterval and
// hcThreshold (a 2 s timeout), so transitions take seconds, not minutes.
func (e *e2e) fastHealthChecks() {
	e.t.Helper()
	e.cli("elbv2", "modify-target-group", "--target-group-arn", e.ids.tgArn,
		"--health-check-interval-seconds", fmt.Sprint(int(hcInterval/time.Second)), "--health-check-timeout-seconds", "2",
		"--healthy-threshold-count", fmt.Sprint(hcThreshold), "--unhealthy-threshold-count", fmt.Sprint(hcThreshold))
}

// setHealth switches appliance i's (0 or 1) health answers.
func (e *e2e) setHealth(i int, query string) {
	e.t.Helper()
	ns := []string{e.tp.app1, e.tp.app2}[i]
	ip := []string{appliance1, appliance2}[i]
	runHelperIn(e.t, ns, "http-post", "http://"+ip+":8080/health?"+query)
}

// httpPost POSTs to url (inside a namespace) and prints the status.
func httpPost(url string) error {
	c := &http.Client{Timeout: 3 * time.Second}
	resp, err := c.Post(url, "text/plain", nil)
	if err != nil {
		return err
	}
	resp.Body.Close()
	fmt.Println(resp.Status)
	return nil
}

// newFlowsOn sends n new UDP flows from the client and returns, per
// appliance, how many of them it carried; every flow must be echoed and
// cross exactly one appliance. Each call sends to a server port of its
// own (7400 up): the client reuses ephemeral ports, so a probe to a port
// used before could repeat a flow serve still holds (UDP idles out after
// 120 s) and follow that flow's target instead of getting a new one.
func (e *e2e) newFlowsOn(n int) [2]int {
	e.t.Helper()
	addr := fmt.Sprintf("%s:%d", serverIP4, 7400+e.probes)
	e.probes++
	srv := startHelper(e.t, e.tp.server, "udp-echo", addr)
	defer srv.stop()
	before := e.applianceFlows()
	res := e.udpProbe(e.tp.client, addr, n, 2)
	after := e.applianceFlows()
	var per [2]int
	for _, r := range res {
		if r.Echoed != r.Sent {
			e.t.Errorf("flow %s: %d sent, %d echoed", r.Local, r.Sent, r.Echoed)
		}
		seen := -1
		for i := range after {
			if _, ok := after[i].since(before[i], netip.MustParseAddrPort(r.Local), netip.MustParseAddrPort(addr)); ok {
				if seen >= 0 {
					e.t.Errorf("flow %s crossed both appliances", r.Local)
				}
				seen = i
			}
		}
		if seen < 0 {
			e.t.Errorf("flow %s crossed no appliance", r.Local)
			continue
		}
		per[seen]++
	}
	return per
}

// heldFlowsOn sends one round on the held flows and returns, for each
// flow, the appliance (0, 1) that carried that round (-1: none, or both).
func (e *e2e) heldFlowsOn(h *holder) []int {
	e.t.Helper()
	before := e.applianceFlows()
	res := h.round()
	after := e.applianceFlows()
	dst := netip.MustParseAddrPort(serverIP4 + ":7000")
	on := make([]int, len(res))
	for k, r := range res {
		on[k] = -1
		src := netip.MustParseAddrPort(r.Local)
		for i := range after {
			a, _ := after[i].find(src, dst)
			b, _ := before[i].find(src, dst)
			if a.forward > b.forward {
				if on[k] >= 0 {
					on[k] = -2
					break
				}
				on[k] = i
			}
		}
		if on[k] < 0 {
			e.t.Errorf("held flow %s: this round crossed %d appliances, want one", r.Local, map[int]int{-1: 0, -2: 2}[on[k]])
		}
	}
	return on
}

func (e *e2e) nodeStatsAPI() *api.Stats {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := e.api().Stats(ctx)
	if err != nil {
		e.t.Fatalf("GET /stats: %v", err)
	}
	return s
}

func TestHealthChecks(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	e := &e2e{t: t, dir: dir, state: filepath.Join(dir, "state.json"), tp: newTopology()}
	e.bin = buildBinary(t, dir)
	e.tp.up(t)
	e.provision()
	e.fastHealthChecks()
	e.cli("ec2", "accept-vpc-endpoint-connections", "--service-id", e.ids.serviceID, "--vpc-endpoint-ids", e.ids.endpointID)
	e.startAppliances()
	cfg := e.writeNodeConfig()
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "node:\n  id: %s\n", hcNodeID)
	f.Close()
	e.startServe(cfg)
	srv := startHelper(t, e.tp.server, "udp-echo", serverIP4+":7000")
	defer srv.stop()

	t.Run("BothHealthy", func(t *testing.T) {
		h := e.describeHealth()
		for _, id := range []string{appliance1, appliance2} {
			if h[id].State != "initial" && h[id].State != "healthy" {
				t.Errorf("%s right after start: %+v, want initial", id, h[id])
			}
		}
		e.waitHealth(appliance1, "healthy", "")
		e.waitHealth(appliance2, "healthy", "")
		// The state records the node's view under its node.id.
		st := readFile(e.state)
		if !strings.Contains(st, `"node": "`+hcNodeID+`"`) && !strings.Contains(st, `"node":"`+hcNodeID+`"`) {
			t.Errorf("state file has no health view of node %s", hcNodeID)
		}
		if per := e.newFlowsOn(32); per[0] == 0 || per[1] == 0 {
			t.Errorf("32 new flows with both healthy: %v, want both appliances used", per)
		}
	})

	// Probes go through the TAP: counted as exception packets, never as
	// traffic the load balancer processed.
	t.Run("HealthChecksNotCountedAsTraffic", func(t *testing.T) {
		// The workers publish their counters periodically: first wait
		// until the node's count includes every flow the appliances
		// carried so far (BothHealthy's).
		var s0 *api.Stats
		e.waitFor(3*hcInterval, "the node's counters to include the flows the appliances carried", func() bool {
			flows := e.applianceFlows()
			s0 = e.nodeStatsAPI()
			return s0.Totals.NewFlows >= uint64(len(flows[0].Flows)+len(flows[1].Flows))
		})
		e.waitFor(3*hcInterval, "health-check replies through the exception path", func() bool {
			return e.nodeStatsAPI().Totals.ExceptionPackets >= s0.Totals.ExceptionPackets+8
		})
		s1 := e.nodeStatsAPI()
		// Every probe is a new TCP connection (a new source port): had
		// the probes been taken for traffic, each would be a new flow.
		// Bytes are only logged: an earlier subtest's last packets (a
		// FIN, a retransmission) may still cross established flows.
		if s1.Totals.NewFlows != s0.Totals.NewFlows {
			t.Errorf("health checks counted as traffic: new flows %d -> %d while %d probes' packets went through the exception path",
				s0.Totals.NewFlows, s1.Totals.NewFlows, s1.Totals.ExceptionPackets-s0.Totals.ExceptionPackets)
		}
		t.Logf("exception packets %d -> %d, new flows %d -> %d, encap bytes %d -> %d",
			s0.Totals.ExceptionPackets, s1.Totals.ExceptionPackets, s0.Totals.NewFlows, s1.Totals.NewFlows, s0.Totals.EncapBytes, s1.Totals.EncapBytes)
	})

	// no_rebalance (the default): flows on appliance 1 stay on it.
	t.Run("FailedHealthChecksMoveNewFlows", func(t *testing.T) {
		hold := startHold(t, e.tp.client, serverIP4+":7000", 16)
		was := e.heldFlowsOn(hold)
		e.setHealth(0, "healthy=false")
		e.waitHealth(appliance1, "unhealthy", "Target.FailedHealthChecks")
		if per := e.newFlowsOn(16); per[0] != 0 {
			t.Errorf("16 new flows with appliance 1 unhealthy: %v, want all on appliance 2", per)
		}
		now := e.heldFlowsOn(hold)
		on1 := 0
		for k := range was {
			if was[k] == 0 {
				on1++
				if now[k] != 0 {
					t.Errorf("no_rebalance: held flow %d moved from appliance 1 to %d", k, now[k]+1)
				}
			}
		}
		if on1 == 0 {
			t.Errorf("none of 16 held flows was on appliance 1: %v", was)
		}
		// The transition is in the node API's events.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		page, err := e.api().Events(ctx, api.EventsRequest{})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, ev := range page.Events {
			found = found || (ev.Kind == api.EventHealth && ev.Target == appliance1 && ev.To == "unhealthy" && ev.Reason == "Target.FailedHealthChecks")
		}
		if !found {
			t.Errorf("no health event for %s -> unhealthy in GET /events", appliance1)
		}
		e.setHealth(0, "healthy=true")
		e.waitHealth(appliance1, "healthy", "")
		if per := e.newFlowsOn(32); per[0] == 0 {
			t.Errorf("32 new flows after appliance 1 recovered: %v, want some on it", per)
		}
	})

	// rebalance: once appliance 1 is unhealthy its flows move to appliance 2.
	t.Run("RebalanceMovesFlows", func(t *testing.T) {
		e.cli("elbv2", "modify-target-group-attributes", "--target-group-arn", e.ids.tgArn, "--attributes",
			"Key=target_failover.on_unhealthy,Value=rebalance", "Key=target_failover.on_deregistration,Value=rebalance")
		defer e.cli("elbv2", "modify-target-group-attributes", "--target-group-arn", e.ids.tgArn, "--attributes",
			"Key=target_failover.on_unhealthy,Value=no_rebalance", "Key=target_failover.on_deregistration,Value=no_rebalance")
		hold := startHold(t, e.tp.client, serverIP4+":7000", 16)
		was := e.heldFlowsOn(hold)
		e.setHealth(0, "healthy=false")
		e.waitHealth(appliance1, "unhealthy", "Target.FailedHealthChecks")
		now := e.heldFlowsOn(hold)
		moved := 0
		for k := range was {
			if was[k] == 0 {
				if now[k] != 1 {
					t.Errorf("rebalance: held flow %d still on appliance %d", k, now[k]+1)
				}
				moved++
			}
		}
		if moved == 0 {
			t.Errorf("none of 16 held flows was on appliance 1: %v", was)
		}
		res := hold.round()
		for _, r := range res {
			if r.Echoed != r.Sent {
				t.Errorf("held flow %s: %d sent, %d echoed", r.Local, r.Sent, r.Echoed)
			}
		}
		e.setHealth(0, "healthy=true")
		e.waitHealth(appliance1, "healthy", "")
	})

	// Over HTTP, one reason code per appliance at once: a status the
	// matcher refuses on appliance 1, no answer on appliance 2.
	t.Run("HTTPReasonCodes", func(t *testing.T) {
		e.cli("elbv2", "modify-target-group", "--target-group-arn", e.ids.tgArn,
			"--health-check-protocol", "HTTP", "--health-check-port", "8080", "--health-check-path", "/health", "--matcher", "HttpCode=200")
		e.setHealth(0, "healthy=false&status=404")
		e.setHealth(1, "healthy=false&blackhole=true")
		e.waitHealth(appliance1, "unhealthy", "Target.ResponseCodeMismatch")
		if d := e.describeHealth()[appliance1].Description; !strings.Contains(d, "404") {
			t.Errorf("ResponseCodeMismatch description %q does not name the code", d)
		}
		e.waitHealth(appliance2, "unhealthy", "Target.Timeout")
	})

	// With every target unhealthy new flows still pass, each on one
	// appliance for its life; then both recover over HTTP.
	t.Run("AllUnhealthyStillPass", func(t *testing.T) {
		h := e.describeHealth()
		if h[appliance1].State != "unhealthy" || h[appliance2].State != "unhealthy" {
			t.Fatalf("want both unhealthy: %+v", h)
		}
		per := e.newFlowsOn(16)
		if per[0]+per[1] != 16 {
			t.Errorf("16 new flows with both unhealthy: %v", per)
		}
		e.setHealth(0, "healthy=true")
		e.setHealth(1, "healthy=true")
		e.waitHealth(appliance1, "healthy", "")
		e.waitHealth(appliance2, "healthy", "")
	})

	// Targets with no host behind them (their address never answers ARP)
	// get no new flows: none before their first checks (initial), none
	// after (unhealthy).
	t.Run("DeadTargetsGetNoFlows", func(t *testing.T) {
		// One live appliance: appliance 2 fails its checks first.
		e.setHealth(1, "healthy=false&status=500")
		e.waitHealth(appliance2, "unhealthy", "Target.ResponseCodeMismatch")
		var dead []string
		for i := range 50 {
			dead = append(dead, fmt.Sprintf("Id=198.19.0.%d", 100+i))
		}
		e.cli(append([]string{"elbv2", "register-targets", "--target-group-arn", e.ids.tgArn, "--targets"}, dead...)...)
		registered := time.Now()
		if per := e.newFlowsOn(10); per[0] != 10 {
			t.Errorf("10 new flows right after registering 50 dead targets: %v reached each appliance, want all 10 on appliance 1, the live one", per)
		}
		e.waitFor(healthDeadline, "50 dead targets unhealthy", func() bool {
			h := e.describeHealth()
			for i := range 50 {
				if h[fmt.Sprintf("198.19.0.%d", 100+i)].State != "unhealthy" {
					return false
				}
			}
			return true
		})
		t.Logf("50 dead targets unhealthy %v after their registration", time.Since(registered).Round(100*time.Millisecond))
		if per := e.newFlowsOn(10); per[0] != 10 {
			t.Errorf("10 new flows with 50 dead targets unhealthy: %v reached each appliance, want all 10 on appliance 1, the live one", per)
		}
		e.cli("elbv2", "modify-target-group-attributes", "--target-group-arn", e.ids.tgArn, "--attributes", "Key=deregistration_delay.timeout_seconds,Value=0")
		e.cli(append([]string{"elbv2", "deregister-targets", "--target-group-arn", e.ids.tgArn, "--targets"}, dead...)...)
		e.setHealth(1, "healthy=true")
		e.waitHealth(appliance2, "healthy", "")
	})

	// Without serve, describe-target-health shows what the node recorded.
	t.Run("RecordedAfterServeStops", func(t *testing.T) {
		e.setHealth(1, "healthy=false&status=500")
		e.waitHealth(appliance2, "unhealthy", "Target.ResponseCodeMismatch")
		e.serve.Process.Signal(syscall.SIGTERM)
		e.serve.Wait()
		e.setHealth(1, "healthy=true") // nobody checks it now
		h := e.describeHealth()
		if h[appliance2].State != "unhealthy" || h[appliance2].Reason != "Target.ResponseCodeMismatch" || h[appliance1].State != "healthy" {
			t.Errorf("after serve stopped: %+v, want the last recorded health", h)
		}
	})

	// An established TCP transfer completes through a draining target,
	// on the same appliance (on_deregistration no_rebalance): the sender
	// sends half, the appliance carrying the flow is deregistered, then the
	// sender sends the rest.
	var drained string // the appliance deregistered
	d := -1            // its index
	t.Run("DrainCompletesTransfer", func(t *testing.T) {
		e.startServe(cfg)
		e.waitHealth(appliance2, "healthy", "")
		e.cli("elbv2", "modify-target-group-attributes", "--target-group-arn", e.ids.tgArn, "--attributes", "Key=deregistration_delay.timeout_seconds,Value=10")
		const size = 8 << 20
		addr := serverIP4 + ":5003"
		gate := filepath.Join(dir, "drain-gate")
		echo := startHelper(t, e.tp.server, "tcp-echo", addr)
		send := startHelper(t, e.tp.client, "tcp-send", addr, fmt.Sprint(size), "8", gate) // ready: half sent
		// before: the transfer's packets on its appliance before the deregistration.
		var before uint64
		flows := e.applianceFlows()
		for i := range flows {
			for _, f := range flows[i].Flows {
				if f.B == addr || f.A == addr {
					if d >= 0 {
						t.Fatalf("the transfer crossed both appliances")
					}
					d, before = i, f.PacketsAB+f.PacketsBA
				}
			}
		}
		if d < 0 {
			t.Fatalf("no appliance carried the transfer after half of it")
		}
		drained = []string{appliance1, appliance2}[d]
		e.cli("elbv2", "deregister-targets", "--target-group-arn", e.ids.tgArn, "--targets", "Id="+drained)
		if h := e.describeHealth()[drained]; h.State != "draining" || h.Reason != "Target.DeregistrationInProgress" {
			t.Fatalf("%s after deregistration: %+v, want draining", drained, h)
		}
		if err := os.WriteFile(gate, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := send.wait(30 * time.Second); err != nil {
			t.Fatalf("tcp-send: %v", err)
		}
		if err := echo.wait(30 * time.Second); err != nil {
			t.Fatalf("tcp-echo: %v", err)
		}
		r := parseEcho(send.output(), echo.output())
		if !r.ok(size) {
			t.Fatalf("through draining %s: %v", drained, r)
		}
		after := e.applianceFlows()
		var total uint64
		for _, f := range after[d].Flows {
			if f.B == addr || f.A == addr {
				total = f.PacketsAB + f.PacketsBA
			}
		}
		for _, f := range after[1-d].Flows {
			if f.B == addr || f.A == addr {
				t.Errorf("the transfer moved to appliance %d while %s drained", 2-d, drained)
			}
		}
		if total <= before {
			t.Errorf("appliance %d carried %d packets of the transfer before the deregistration and %d after it", d+1, before, total)
		}
		t.Logf("%d MiB each way through draining %s (appliance %d: %d packets, %d after the deregistration), sha256 %s… verified at both ends",
			size>>20, drained, d+1, total, total-before, r.sent[:16])
	})

	// The drain deadline is in the state: a restart of serve during the
	// delay keeps it, and when it passes the node removes the target.
	t.Run("DrainSurvivesRestart", func(t *testing.T) {
		if drained == "" {
			t.Skip("no target draining")
		}
		if h := e.describeHealth()[drained]; h.State != "draining" {
			t.Fatalf("%s before the restart: %+v, want draining", drained, h)
		}
		deadline := e.drainUntil(drained)
		e.serve.Process.Signal(syscall.SIGTERM)
		e.serve.Wait()
		e.startServe(cfg)
		if got := e.drainUntil(drained); !got.Equal(deadline) && time.Now().Before(deadline) {
			t.Fatalf("drain deadline %v after the restart, was %v", got, deadline)
		}
		for e.drainUntil(drained) != (time.Time{}) {
			if time.Now().After(deadline.Add(healthDeadline)) {
				t.Fatalf("%s still in the state %v after its deadline", drained, time.Since(deadline))
			}
			time.Sleep(200 * time.Millisecond)
		}
		if time.Now().Before(deadline) {
			t.Fatalf("%s removed before its deadline %v", drained, deadline)
		}
		if _, ok := e.describeHealth()[drained]; ok {
			t.Errorf("%s still listed after its delay", drained)
		}
		if per := e.newFlowsOn(16); per[d] != 0 {
			t.Errorf("16 new flows after %s is gone: %v", drained, per)
		}
	})
}

// waitFile returns once the file at path exists (tcp-send's gate).
func waitFile(path string) {
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// drainUntil is target id's drain deadline in the state file (zero: the
// target is not in the state).
func (e *e2e) drainUntil(id string) time.Time {
	e.t.Helper()
	var doc struct { // the state file: the state's fields at the top
		TargetGroups []struct {
			Targets []struct {
				Target     struct{ Id string }
				DrainUntil *time.Time `json:"drainUntil"`
			} `json:"targets"`
		} `json:"targetGroups"`
	}
	b, err := os.ReadFile(e.state)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		e.t.Fatalf("state file: %v", err)
	}
	for _, tg := range doc.TargetGroups {
		for _, t := range tg.Targets {
			if t.Target.Id == id {
				if t.DrainUntil == nil {
					e.t.Fatalf("%s has no drain deadline in the state", id)
				}
				return *t.DrainUntil
			}
		}
	}
	return time.Time{}
}
