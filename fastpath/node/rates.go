package node

import (
	"strconv"

	"github.com/gwlbctl/gwlbctl/control/api"
)

// rates are the API's rates: the stats loop samples every counter pair
// once a second (sample) and the answers read the rates over the last
// interval (fill); nothing is counted per packet.
type rates struct {
	t api.RateTracker[string]
}

// Counter keys of the rate tracker.
func epKey(id, what string) string    { return "endpoint/" + id + "/" + what }
func tgKey(i int, what string) string { return "target/" + strconv.Itoa(i) + "/" + what }
func portKey(n, what string) string   { return "port/" + n + "/" + what }

// sample records one reading of s.
func (r *rates) sample(s *api.Stats) {
	m := map[string]uint64{
		"encap_packets": s.Totals.EncapPackets, "encap_bytes": s.Totals.EncapBytes,
		"decap_packets": s.Totals.DecapPackets, "decap_bytes": s.Totals.DecapBytes,
		"new_flows": s.Totals.NewFlows, "dropped": s.Totals.DroppedTotal,
	}
	for _, e := range s.Endpoints {
		m[epKey(e.ID, "in_packets")], m[epKey(e.ID, "in_bytes")] = e.InPackets, e.InBytes
		m[epKey(e.ID, "out_packets")], m[epKey(e.ID, "out_bytes")] = e.OutPackets, e.OutBytes
	}
	for _, t := range s.Targets {
		m[tgKey(t.Index, "tx_packets")], m[tgKey(t.Index, "tx_bytes")] = t.TxPackets, t.TxBytes
		m[tgKey(t.Index, "rx_packets")], m[tgKey(t.Index, "rx_bytes")] = t.RxPackets, t.RxBytes
	}
	for _, p := range s.Ports {
		if p.Error != "" {
			continue
		}
		m[portKey(p.Name, "rx_packets")], m[portKey(p.Name, "rx_bytes")] = p.RxPackets, p.RxBytes
		m[portKey(p.Name, "tx_packets")], m[portKey(p.Name, "tx_bytes")] = p.TxPackets, p.TxBytes
	}
	r.t.Sample(s.Time, m)
}

// fill sets every rate of s.
func (r *rates) fill(s *api.Stats) {
	t := &s.Totals
	t.EncapRate = r.t.Rates("encap_packets", "encap_bytes")
	t.DecapRate = r.t.Rates("decap_packets", "decap_bytes")
	t.NewFlowsPerSecond = r.t.Rate("new_flows")
	t.DroppedPerSecond = r.t.Rate("dropped")
	r.fillEndpoints(s.Endpoints)
	r.fillTargets(s.Targets)
	for i := range s.Ports {
		p := &s.Ports[i]
		p.RxRate = r.t.Rates(portKey(p.Name, "rx_packets"), portKey(p.Name, "rx_bytes"))
		p.TxRate = r.t.Rates(portKey(p.Name, "tx_packets"), portKey(p.Name, "tx_bytes"))
	}
}

func (r *rates) fillEndpoints(es []api.Endpoint) {
	for i := range es {
		e := &es[i]
		e.InRate = r.t.Rates(epKey(e.ID, "in_packets"), epKey(e.ID, "in_bytes"))
		e.OutRate = r.t.Rates(epKey(e.ID, "out_packets"), epKey(e.ID, "out_bytes"))
	}
}

func (r *rates) fillTargets(ts []api.Target) {
	for i := range ts {
		t := &ts[i]
		t.TxRate = r.t.Rates(tgKey(t.Index, "tx_packets"), tgKey(t.Index, "tx_bytes"))
		t.RxRate = r.t.Rates(tgKey(t.Index, "rx_packets"), tgKey(t.Index, "rx_bytes"))
	}
}
