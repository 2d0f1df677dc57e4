package node

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"unsafe"

	"github.com/gwlbctl/gwlbctl/fastpath/engine"
)

// statsConfig is a snapshot with one endpoint and one target.
func statsConfig(t *testing.T) *engine.Config {
	t.Helper()
	cfg, err := engine.NewConfig(engine.Config{
		Revision: 7,
		Ports: []engine.Port{
			{Name: "app", Role: engine.RoleAppliance, NodeIP: netip.MustParsePrefix("10.9.0.10/24"), NodeMAC: [6]byte{2, 0, 0, 0, 0, 1}},
			{Name: "a", Role: engine.RoleBump, Endpoint: 0, Side: engine.SideA},
			{Name: "b", Role: engine.RoleBump, Endpoint: 0, Side: engine.SideB},
		},
		Endpoints: []engine.Endpoint{{ID: 0x0123456789abcdef0, AZ: testZoneA}},
		Targets:   []engine.Target{{ID: testTarget + ":6081", IP: netip.MustParseAddr(testTarget), AZ: testZoneA}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestStatsDocumentHasEveryCounter: every counter of the engine's metric
// tables appears in the stats document under its key with its value (TCP
// resets were counted but never shown), the keys scripts read are the
// ones they always were, and the document reads back to itself.
func TestStatsDocumentHasEveryCounter(t *testing.T) {
	cfg := statsConfig(t)
	var sum engine.Stats
	sum.Endpoints = make([]engine.EndpointCounters, 1)
	sum.Targets = make([]engine.TargetCounters, 1)
	// Every word of every counter struct gets its own value.
	n := uint64(100)
	for _, w := range [][]uint64{wordsOf(&sum.Totals), wordsOf(&sum.Endpoints[0]), wordsOf(&sum.Targets[0])} {
		for i := range w {
			n++
			w[i] = n
		}
	}
	sum.Totals.TCPResets = 4242
	want := map[string]uint64{"totals.tcp_resets": 4242}
	for _, m := range engine.NodeMetrics() {
		want["totals."+m.Key] = sum.Totals.Value(m)
	}
	for _, m := range engine.EndpointMetrics() {
		want["endpoints.0."+m.Key] = sum.Endpoints[0].Value(m)
	}
	for _, m := range engine.TargetMetrics() {
		want["targets.0."+m.Key] = sum.Targets[0].Value(m)
	}
	for r := engine.Reason(0); r < engine.NumReasons; r++ {
		want["totals.drops."+r.String()] = sum.Totals.Drops[r]
	}
	want["totals.dropped_total"] = sum.TotalDrops()

	var s Stats
	s.setEngine(&sum, cfg)
	b, err := json.Marshal(&s)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	got := map[string]uint64{}
	flatten("", doc, got)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %d, want %d", k, got[k], v)
		}
	}
	// Keys the end-to-end test, the demo and the bench scripts read.
	for _, k := range []string{"totals.encap_packets", "totals.decap_packets", "totals.bridged_packets", "totals.new_flows",
		"totals.active_flows", "totals.tcp_resets", "totals.drops.wrong_source", "targets.0.NewFlows", "endpoints.0.InPkts"} {
		if _, ok := got[k]; !ok {
			t.Errorf("stats document has no %s:\n%s", k, b)
		}
	}
	if doc["revision"] != float64(7) {
		t.Errorf("revision %v", doc["revision"])
	}

	var back Stats
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(&back)
	if string(b2) != string(b) {
		t.Errorf("document does not read back to itself:\n%s\n%s", b, b2)
	}

	line := fmt.Sprint(s.LogLine()...)
	for _, m := range engine.NodeMetrics() {
		if m.Unit != engine.UnitBytes && !strings.Contains(line, m.Name) {
			t.Errorf("log line lacks %s: %s", m.Name, line)
		}
	}
}

func flatten(prefix string, v any, out map[string]uint64) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			flatten(prefix+k+".", e, out)
		}
	case []any:
		for i, e := range x {
			flatten(fmt.Sprintf("%s%d.", prefix, i), e, out)
		}
	case float64:
		out[strings.TrimSuffix(prefix, ".")] = uint64(x)
	}
}

// wordsOf views one of engine's counter structs (uint64 fields only) as
// its words.
func wordsOf[T engine.Totals | engine.EndpointCounters | engine.TargetCounters](p *T) []uint64 {
	return unsafe.Slice((*uint64)(unsafe.Pointer(p)), unsafe.Sizeof(*p)/8)
}
