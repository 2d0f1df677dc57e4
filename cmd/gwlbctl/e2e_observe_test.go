//go:build e2e

package main

// What the end-to-end tests read and send: serve's flows and API, UDP
// probes, forged Geneve returns, and the appliances' counters.

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/control/api"
)

// serveFlows lists every flow of serve through its API (the unix socket),
// following the cursors.
func (e *e2e) serveFlows() []api.Flow {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var flows []api.Flow
	for cursor := ""; ; {
		p, err := e.api().Flows(ctx, api.FlowsRequest{Limit: api.MaxPageLimit, Cursor: cursor})
		if err != nil {
			e.t.Fatalf("GET /flows: %v", err)
		}
		flows = append(flows, p.Flows...)
		if p.NextCursor == "" {
			return flows
		}
		cursor = p.NextCursor
	}
}

// api is a client of serve's API socket.
func (e *e2e) api() *api.Client {
	c := api.NewClient(e.socket())
	e.t.Cleanup(c.Close)
	return c
}

func (e *e2e) socket() string { return filepath.Join(e.dir, "serve.sock") }

func (e *e2e) udpProbe(ns, addr string, flows, per int) []probeResult {
	e.t.Helper()
	out := runHelperIn(e.t, ns, "udp-probe", addr, fmt.Sprint(flows), fmt.Sprint(per), "2s")
	var res []probeResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		e.t.Fatalf("udp-probe output: %v\n%s", err, out)
	}
	return res
}

// spoofedReturns sends Geneve returns that must be dropped: a valid flow's
// packet from the appliance that is not its target, and one with a
// forged cookie from its real target. The inner packet is a UDP datagram
// to the server marked FORGED, which the server reports if it arrives.
func (e *e2e) spoofedReturns(t *testing.T) {
	srv := startHelper(t, e.tp.server, "udp-echo", serverIP4+":7200")
	defer srv.stop()
	// Capture a real flow's Geneve packet on each appliance network port.
	var caps [2]*background
	for i, ns := range []string{e.tp.app1, e.tp.app2} {
		caps[i] = startHelper(t, ns, "geneve-sniff", "e0", "7200", "5s")
	}
	res := e.udpProbe(e.tp.client, serverIP4+":7200", 8, 1)
	if len(res) == 0 {
		t.Fatal("no probe flows")
	}
	var geneve []byte
	var target, other string
	for i, c := range caps {
		c.wait(6 * time.Second)
		f := strings.Fields(c.output())
		if len(f) == 3 {
			geneve, _ = hex.DecodeString(f[2])
			target = []string{appliance1, appliance2}[i]
			other = []string{appliance2, appliance1}[i]
			break
		}
	}
	if geneve == nil {
		t.Fatal("no Geneve packet captured on either appliance")
	}
	s0 := e.freshStats()

	forged := forgeInner(t, geneve, "FORGED wrong source")
	runHelperIn(t, e.nsOf(other), "udp-send", other+":0", nodeIP+":6081", hex.EncodeToString(forged))

	bad := forgeInner(t, geneve, "FORGED cookie")
	// The cookie is the last 4 bytes of the 32 option bytes (type 3 last,
	// as serve emits them); flip it.
	optEnd := 8 + int(bad[0]&0x3f)*4
	for i := optEnd - 4; i < optEnd; i++ {
		bad[i] ^= 0x5a
	}
	runHelperIn(t, e.nsOf(target), "udp-send", target+":0", nodeIP+":6081", hex.EncodeToString(bad))

	time.Sleep(300 * time.Millisecond)
	s1 := e.freshStats()
	if d := s1.Totals.Drops["wrong_source"] - s0.Totals.Drops["wrong_source"]; d == 0 {
		t.Errorf("return from %s (not the flow's target %s) not counted as wrong_source: %v", other, target, s1.Totals.Drops)
	}
	if d := s1.Totals.Drops["unknown_cookie"] - s0.Totals.Drops["unknown_cookie"]; d == 0 {
		t.Errorf("forged cookie not counted as unknown_cookie: %v", s1.Totals.Drops)
	}
	if out := srv.output(); strings.Contains(out, "forged") {
		t.Errorf("a spoofed return reached the server: %s", out)
	}
	t.Logf("wrong_source +%d, unknown_cookie +%d, server received none",
		s1.Totals.Drops["wrong_source"]-s0.Totals.Drops["wrong_source"], s1.Totals.Drops["unknown_cookie"]-s0.Totals.Drops["unknown_cookie"])
}

func (e *e2e) nsOf(appliance string) string {
	if appliance == appliance1 {
		return e.tp.app1
	}
	return e.tp.app2
}

// forgeInner replaces the inner UDP payload of a captured Geneve packet
// (header + options + inner IPv4/UDP) with msg, fixing the inner lengths
// and checksums (UDP checksum 0: none, valid for IPv4).
func forgeInner(t *testing.T, geneve []byte, msg string) []byte {
	t.Helper()
	optEnd := 8 + int(geneve[0]&0x3f)*4
	ip := append([]byte(nil), geneve[optEnd:]...)
	ihl := int(ip[0]&0x0f) * 4
	udp := append(append([]byte(nil), ip[ihl:ihl+8]...), msg...)
	ip = append(ip[:ihl], udp...)
	putBE16(ip[2:], uint16(len(ip)))
	putBE16(ip[ihl+4:], uint16(len(udp)))
	putBE16(ip[ihl+6:], 0)
	putBE16(ip[10:], 0)
	putBE16(ip[10:], ^csum(ip[:ihl]))
	return append(append([]byte(nil), geneve[:optEnd]...), ip...)
}

func putBE16(b []byte, v uint16) { b[0], b[1] = byte(v>>8), byte(v) }

func csum(b []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(b[i])<<8 | uint32(b[i+1])
	}
	for s > 0xffff {
		s = s&0xffff + s>>16
	}
	return uint16(s)
}

// applianceStats is the part of `gwlbctl appliance`'s GET /stats the test
// reads.
type applianceStats struct {
	Route    bool              `json:"route"`
	Received uint64            `json:"received_packets"`
	Returned uint64            `json:"returned_packets"`
	Drops    map[string]uint64 `json:"drops"`
	RuleHits map[string]uint64 `json:"rule_hits"`
	Flows    []struct {
		Protocol  uint8  `json:"protocol"`
		A         string `json:"a"`
		B         string `json:"b"`
		PacketsAB uint64 `json:"packets_a_to_b"`
		PacketsBA uint64 `json:"packets_b_to_a"`
	} `json:"flows"`
}

// flowCount is one flow's packets seen by an appliance, oriented from the
// asking side: forward is src -> dst.
type flowCount struct{ forward, reverse uint64 }

// find returns the counters of the flow src <-> dst, if the appliance saw it.
func (s applianceStats) find(src, dst netip.AddrPort) (flowCount, bool) {
	for _, f := range s.Flows {
		a, errA := netip.ParseAddrPort(f.A)
		b, errB := netip.ParseAddrPort(f.B)
		if errA != nil || errB != nil {
			continue
		}
		switch {
		case a == src && b == dst:
			return flowCount{f.PacketsAB, f.PacketsBA}, true
		case a == dst && b == src:
			return flowCount{f.PacketsBA, f.PacketsAB}, true
		}
	}
	return flowCount{}, false
}

// since is what appliance stats after counted of flow src -> dst since
// before, and whether it counted any packet of it in that time. The
// client's ephemeral ports are reused, so a new flow's 5-tuple may be an
// earlier probe's, whose packets the appliance's counters still hold:
// which appliance a probe crossed is what rose during it, not what exists.
func (after applianceStats) since(before applianceStats, src, dst netip.AddrPort) (flowCount, bool) {
	a, _ := after.find(src, dst)
	b, _ := before.find(src, dst)
	d := flowCount{a.forward - b.forward, a.reverse - b.reverse}
	return d, d.forward+d.reverse > 0
}

// applianceFlows fetches both appliances' stats.
func (e *e2e) applianceFlows() [2]applianceStats {
	e.t.Helper()
	var out [2]applianceStats
	for i, ns := range []string{e.tp.app1, e.tp.app2} {
		body := runHelperIn(e.t, ns, "http-get", e.appStats[i])
		if err := json.Unmarshal([]byte(body), &out[i]); err != nil {
			e.t.Fatalf("appliance %d stats: %v\n%s", i+1, err, body)
		}
	}
	return out
}
