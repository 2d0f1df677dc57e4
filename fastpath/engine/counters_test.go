package engine

import (
	"strings"
	"testing"
)

func TestStatsPublishedAndSummed(t *testing.T) {
	cfg := testConfig(t, 2, Attributes{})
	w1, _ := newTestWorker(t, cfg, 256)
	w2, _ := newTestWorker(t, cfg, 256)
	syn := ipEther(serverMAC, clientMAC, 0, ipPacket(clientIP, serverIP, l4{proto: 6, sport: 40000, dport: 443, flags: tcpSYN}))
	ack := ipEther(serverMAC, clientMAC, 0, ipPacket(clientIP, serverIP, l4{proto: 6, sport: 40001, dport: 443, flags: tcpACK}))
	process(w1, syn, 1, 1e9) // first pass publishes
	process(w1, syn, 1, 1e9+1e6)
	process(w2, syn, 1, 1e9)
	process(w2, ack, 1, 1e9)
	if st := w1.Stats(); st.Totals.EncapPkts != 1 {
		t.Fatalf("published %d packets, want 1 (the second is within the flush interval)", st.Totals.EncapPkts)
	}
	w1.Process(nil, 2e9) // 1 s later: past the 100 ms flush interval
	w2.Flush(1e9)
	sum := w1.Stats()
	sum.Add(w2.Stats())
	if sum.Totals.EncapPkts != 3 || sum.Totals.NewFlows != 2 || sum.Totals.ActiveFlows != 2 ||
		sum.Drop(ReasonNoFlow) != 1 || sum.TotalDrops() != 1 || sum.Endpoints[0].InPkts != 3 || sum.Endpoints[0].Drops != 1 {
		t.Fatalf("summed stats %+v endpoints %+v", sum.Totals, sum.Endpoints)
	}
	var tx uint64
	for _, tc := range sum.Targets {
		tx += tc.TxPkts
	}
	if tx != 3 {
		t.Fatalf("per-target tx %d", tx)
	}
	names := map[string]bool{}
	for r := Reason(0); r < NumReasons; r++ {
		n := r.String()
		if n == "" || strings.HasPrefix(n, "reason(") || names[n] {
			t.Errorf("reason %d: name %q missing or repeated", r, n)
		}
		names[n] = true
	}
}
