package node

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/gwlbctl/gwlbctl/control/api"
	"github.com/gwlbctl/gwlbctl/fastpath/dpdk"
	"github.com/gwlbctl/gwlbctl/fastpath/engine"
)

// TestPassGapsCarriedOver: a worker's pass gaps reach the API with each
// bucket's bound, and the API's unit of the squared gaps is the one the
// forwarder counts in (dpdk.PassGapUnit, squared).
func TestPassGapsCarriedOver(t *testing.T) {
	if api.PassGapSqUnit != int64(dpdk.PassGapUnit)*int64(dpdk.PassGapUnit) {
		t.Fatalf("api.PassGapSqUnit %d ns², the forwarder's unit %v", api.PassGapSqUnit, dpdk.PassGapUnit)
	}
	var w dpdk.WorkerStats
	for b := range w.PassGaps {
		w.PassGaps[b] = uint64(b + 1)
	}
	w.PassGapNs, w.PassGapSq = 123, 456
	aw := workerStats([]dpdk.WorkerStats{w}, nil)[0]
	if len(aw.PassGaps) != dpdk.PassGapBuckets || aw.PassGapNs != 123 || aw.PassGapSq != 456 {
		t.Fatalf("%d buckets, sums %d %d", len(aw.PassGaps), aw.PassGapNs, aw.PassGapSq)
	}
	for b, g := range aw.PassGaps {
		if g.Count != uint64(b+1) || g.Below != dpdk.PassGapTop(b) {
			t.Errorf("bucket %d: %+v, want count %d below %v", b, g, b+1, dpdk.PassGapTop(b))
		}
	}
}

// TestEveryEngineCounterHasItsField: each counter of the engine's metric
// tables lands in its own field of control/api's document with its value
// (a metric without a field, or two metrics on one field, fails), and the
// log line names every node-wide counter but the byte counts.
func TestEveryEngineCounterHasItsField(t *testing.T) {
	cfg := testNodeConfig(t)
	snap, err := NewSnapshotter(cfg, nodeMAC, 0).Build(testState(), 7, time.Unix(1_800_000_000, 0), neighbors)
	if err != nil {
		t.Fatal(err)
	}
	var sum engine.Stats
	sum.Endpoints = make([]engine.EndpointCounters, 1)
	sum.Targets = make([]engine.TargetCounters, snap.Config.NumTargetIndices())
	// Every word of every counter struct gets its own value.
	n := uint64(100)
	ws := [][]uint64{wordsOf(&sum.Totals), wordsOf(&sum.Endpoints[0])}
	for i := range sum.Targets {
		ws = append(ws, wordsOf(&sum.Targets[i]))
	}
	for _, w := range ws {
		for i := range w {
			n++
			w[i] = n
		}
	}

	tot := totals(&sum)
	seen := map[uintptr]string{}
	for _, m := range engine.NodeMetrics() {
		f, ok := totalsField[m.Name]
		if !ok {
			t.Fatalf("engine metric %s has no field in api.Totals", m.Name)
		}
		p := f(&tot)
		if other, dup := seen[uintptr(unsafe.Pointer(p))]; dup {
			t.Errorf("metrics %s and %s share a field", m.Name, other)
		}
		seen[uintptr(unsafe.Pointer(p))] = m.Name
		if *p != sum.Totals.Value(m) {
			t.Errorf("totals %s = %d, want %d", m.Name, *p, sum.Totals.Value(m))
		}
	}
	for r := engine.Reason(0); r < engine.NumReasons; r++ {
		if tot.Drops[r.String()] != sum.Drop(r) {
			t.Errorf("drops %s = %d, want %d", r, tot.Drops[r.String()], sum.Drop(r))
		}
	}
	if tot.DroppedTotal != sum.TotalDrops() {
		t.Errorf("dropped_total %d, want %d", tot.DroppedTotal, sum.TotalDrops())
	}

	eps := endpoints(snap, &sum)
	if len(eps) != 1 || eps[0].ID != testEP || eps[0].State != "available" || eps[0].Mode != ModeBump {
		t.Fatalf("endpoints %+v", eps)
	}
	for _, m := range engine.EndpointMetrics() {
		f, ok := endpointField[m.Name]
		if !ok {
			t.Fatalf("engine endpoint metric %s has no field in api.Endpoint", m.Name)
		}
		if got := *f(&eps[0]); got != sum.Endpoints[0].Value(m) {
			t.Errorf("endpoint %s = %d, want %d", m.Name, got, sum.Endpoints[0].Value(m))
		}
	}
	ts := targets(snap, &sum, nil)
	if len(ts) != 2 {
		t.Fatalf("targets %+v", ts)
	}
	for _, tg := range ts {
		for _, m := range engine.TargetMetrics() {
			f, ok := targetField[m.Name]
			if !ok {
				t.Fatalf("engine target metric %s has no field in api.Target", m.Name)
			}
			if got := *f(&tg); got != sum.Targets[tg.Index].Value(m) {
				t.Errorf("target %d %s = %d, want %d", tg.Index, m.Name, got, sum.Targets[tg.Index].Value(m))
			}
		}
	}
	// The registered ids and the health describe-target-health shows.
	byID := map[string]api.Target{}
	for _, tg := range ts {
		byID[tg.ID] = tg
	}
	if a, b := byID[testTarget], byID["10.9.1.12"]; a.State != "healthy" || a.AvailabilityZone != testZoneA ||
		b.State != "initial" || b.Reason != "Elb.RegistrationInProgress" || b.AvailabilityZone != testZoneB {
		t.Errorf("targets by id: %+v", byID)
	}

	// The keys scripts read are control/api's snake_case ones.
	doc := api.Stats{Totals: tot, Endpoints: eps, Targets: ts}
	b, err := json.Marshal(&doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"encap_packets":`, `"bridged_nd_packets":`, `"tcp_resets":`, `"wrong_source":`, `"in_packets":`, `"new_flows":`, `"active_flows":`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("stats document has no %s:\n%s", k, b)
		}
	}

	line := fmt.Sprint(logLine(7, &sum)...)
	for _, m := range engine.NodeMetrics() {
		if m.Unit != engine.UnitBytes && !strings.Contains(line, m.Name) {
			t.Errorf("log line lacks %s: %s", m.Name, line)
		}
	}
}

// TestTotalsFieldsAreAllFed: every counter field of api.Totals is fed by
// an engine metric or derived from them (drops, rates), none left at zero
// by oversight.
func TestTotalsFieldsAreAllFed(t *testing.T) {
	fed := map[string]bool{"Drops": true, "DroppedTotal": true, "EncapRate": true, "DecapRate": true, "NewFlowsPerSecond": true, "DroppedPerSecond": true}
	var tot api.Totals
	base := uintptr(unsafe.Pointer(&tot))
	for _, f := range totalsField {
		off := uintptr(unsafe.Pointer(f(&tot))) - base
		for _, tf := range reflect.VisibleFields(reflect.TypeOf(tot)) {
			if tf.Offset == off {
				fed[tf.Name] = true
			}
		}
	}
	for _, tf := range reflect.VisibleFields(reflect.TypeOf(tot)) {
		if !fed[tf.Name] {
			t.Errorf("api.Totals.%s is fed by no engine metric", tf.Name)
		}
	}
}

// wordsOf views one of engine's counter structs (uint64 fields only) as
// its words.
func wordsOf[T engine.Totals | engine.EndpointCounters | engine.TargetCounters](p *T) []uint64 {
	return unsafe.Slice((*uint64)(unsafe.Pointer(p)), unsafe.Sizeof(*p)/8)
}
