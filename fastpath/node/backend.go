package node

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/api"
	"github.com/gwlbctl/gwlbctl/fastpath/engine"
	"github.com/gwlbctl/gwlbctl/fastpath/flow"
)

// The node implements control/api.Backend: every answer is read from the
// workers' published counters, the snapshot in force and, for flows and
// lookups, the workers' tables copied by the workers themselves between
// bursts (engine.Worker.ReadFlows, Lookup). Nothing here takes a lock a
// worker takes.

var _ api.Backend = (*Node)(nil)

// Info is the node's identity and the revision each worker runs.
func (n *Node) Info(ctx context.Context) (api.Info, error) {
	s := n.snap.Load()
	i := api.Info{
		Version: n.version, NodeID: n.nodeID, PID: os.Getpid(), LoadBalancer: n.lbArn,
		AvailabilityZone: n.cfg.AvailabilityZone, StartedAt: n.start.UTC(), UptimeSeconds: time.Since(n.start).Seconds(),
	}
	if s != nil {
		i.TargetGroup, i.Revision = s.TargetGroupArn, s.Config.Revision
	}
	for id, w := range n.workers {
		wi := api.WorkerInfo{ID: id, Lcore: -1}
		if id < len(n.lcores) {
			wi.Lcore = n.lcores[id]
		}
		wi.Revision, _ = w.Revision()
		i.Workers = append(i.Workers, wi)
	}
	return i, nil
}

// Stats are all counters, with rates over the last second.
func (n *Node) Stats(ctx context.Context) (api.Stats, error) {
	return n.statsDocument(n.readCounters()), nil
}

// statsDocument is the stats document of one reading.
func (n *Node) statsDocument(cs *counterSet) api.Stats {
	s := api.Stats{
		Time: cs.at.UTC(), UptimeSeconds: cs.at.Sub(n.start).Seconds(), LoadBalancer: n.lbArn,
		AvailabilityZone: n.cfg.AvailabilityZone,
		Totals:           totals(&cs.engine),
		Endpoints:        endpoints(cs.snap, &cs.engine),
		Targets:          targets(cs.snap, &cs.engine, n.since()),
		Ports:            cs.ports,
		Workers:          workerStats(cs.workers, n.names),
	}
	if cs.snap != nil {
		s.Revision = cs.snap.Config.Revision
	}
	n.rates.fill(&s)
	return s
}

// Targets are the target group's targets with health, flows and rates.
func (n *Node) Targets(ctx context.Context) ([]api.Target, error) {
	cs := n.readEngine()
	ts := targets(cs.snap, &cs.engine, n.since())
	n.rates.fillTargets(ts)
	return ts, nil
}

// Endpoints are the endpoints the node serves, with state and counters.
func (n *Node) Endpoints(ctx context.Context) ([]api.Endpoint, error) {
	cs := n.readEngine()
	es := endpoints(cs.snap, &cs.engine)
	n.rates.fillEndpoints(es)
	return es, nil
}

// readEngine reads the engine's counters alone (no port is read).
func (n *Node) readEngine() *counterSet {
	cs := &counterSet{at: time.Now(), snap: n.snap.Load()}
	for _, w := range n.workers {
		cs.engine.Add(w.Stats())
	}
	return cs
}

// Events returns up to limit events after the cursor after.
func (n *Node) Events(ctx context.Context, after uint64, limit int) (api.EventPage, error) {
	return n.events.Read(after, limit), nil
}

// Lookup says which target a flow gets, through the first worker's
// snapshot (every worker runs the same tables), and which worker holds it
// when it is live.
func (n *Node) Lookup(ctx context.Context, r api.LookupRequest) (api.LookupResult, error) {
	res := api.LookupResult{Request: r}
	id, err := control.ParseEndpointID(r.Endpoint)
	if err != nil {
		return res, &api.Error{Status: http.StatusBadRequest, Message: err.Error()}
	}
	if len(n.workers) == 0 {
		return res, errors.New("node: no worker")
	}
	q := engine.LookupQuery{Endpoint: id, Proto: r.Proto, Src: r.Src, Dst: r.Dst}
	for i, w := range n.workers {
		a, err := w.Lookup(ctx, q)
		if errors.Is(err, engine.ErrUnknownEndpoint) {
			return res, &api.Error{Status: http.StatusNotFound, Message: fmt.Sprintf("endpoint %s is not served by this node (its node config attaches %s)", r.Endpoint, n.endpointList())}
		}
		if err != nil {
			return res, err
		}
		if i == 0 {
			res.Tuple, res.Revision = a.Tuple, a.Revision
			s := n.snap.Load()
			if a.Target >= 0 {
				_, ip, _, _ := s.Config.TargetAt(a.Target)
				res.Target = &api.TargetRef{Index: a.Target, ID: s.targetID(a.Target), IP: ip}
			} else {
				res.Reason = a.NoTarget.String()
			}
		}
		if a.Flow != nil {
			var f api.Flow
			n.snap.Load().flow(a.Flow, &f)
			res.Flow = &f
			break
		}
	}
	return res, nil
}

func (n *Node) endpointList() string {
	var ids []string
	for _, e := range n.cfg.Endpoints {
		ids = append(ids, e.ID)
	}
	return fmt.Sprint(ids)
}

// flowSlotsPerCall bounds the slots one Flows call examines, with the
// time bound below: a listing of a table of millions of flows returns a
// short page with a cursor rather than holding the API.
const (
	flowSlotsPerCall = 1 << 22
	flowTimePerCall  = 2 * time.Second
)

// flowSlotBudget is the most slots one Flows call examines.
func (n *Node) flowSlotBudget() int {
	if n.slotBudget > 0 {
		return n.slotBudget
	}
	return flowSlotsPerCall
}

// Flows walks the workers' tables in slot order, a batch at a time, each
// batch copied by its worker between two bursts and converted here.
func (n *Node) Flows(ctx context.Context, q api.FlowQuery) (api.FlowResult, error) {
	l := api.NewListing(q)
	start := l.Start()
	deadline := time.Now().Add(flowTimePerCall)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		// Leave time to encode the answer.
		deadline = d.Add(-time.Until(d) / 4)
	}
	var b *engine.FlowBatch
	select {
	case b = <-n.batches:
	default:
		b = engine.NewFlowBatch(engine.MaxFlowBatch)
	}
	defer func() {
		// A batch a worker still owns (ReadFlows gave up waiting) is left
		// to it and the collector, and so is one the list has no room for.
		if !b.Busy() {
			select {
			case n.batches <- b:
			default:
			}
		}
	}()
	var fi engine.FlowInfo
	var f api.Flow
	examined := 0
	for wi := start.Worker; wi < len(n.workers); wi++ {
		slot := 0
		if wi == start.Worker {
			slot = int(start.Slot)
		}
		for {
			at := api.FlowCursor{Worker: wi, Slot: uint64(slot)}
			if examined >= n.flowSlotBudget() || time.Now().After(deadline) {
				l.Stop(at)
				return l.Result(), nil
			}
			b.SetFloor(floorOf(l))
			b.SetSize(l.Wanted())
			bctx, cancel := context.WithDeadline(ctx, deadline)
			err := n.workers[wi].ReadFlows(bctx, slot, b)
			cancel()
			if err != nil {
				if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
					l.Stop(at)
					return l.Result(), nil
				}
				return api.FlowResult{}, err
			}
			s := n.snap.Load()
			for i := 0; i < b.Len(); i++ {
				b.Flow(i, &fi)
				s.flow(&fi, &f)
				if !l.Offer(api.FlowCursor{Worker: wi, Slot: uint64(b.Slot(i))}, &f) {
					return l.Result(), nil
				}
			}
			examined += b.Examined()
			next, more := b.Next()
			if !more {
				break
			}
			slot = next
		}
	}
	return l.Result(), nil
}

// floorOf is the floor below which the workers need not copy a flow for
// listing l (flow.Floor's zero value: copy every slot).
func floorOf(l *api.Listing) flow.Floor {
	switch sort, min, ok := l.Floor(); {
	case ok && sort == api.SortBytes:
		return flow.Floor{Of: flow.FloorBytes, Min: min}
	case ok && sort == api.SortPackets:
		return flow.Floor{Of: flow.FloorPackets, Min: min}
	}
	return flow.Floor{}
}

// flow converts an engine flow for the API, naming its endpoint and target
// as the control plane does.
func (s *Snapshot) flow(fi *engine.FlowInfo, f *api.Flow) {
	*f = api.Flow{
		Worker: fi.Worker, Endpoint: s.endpointName(fi.Endpoint), Proto: fi.Proto, Tuple: fi.Tuple,
		Src: fi.Src, Dst: fi.Dst, Target: s.targetID(fi.Target), TargetIndex: fi.Target, TargetIP: fi.TargetIP,
		Cookie: fi.Cookie, Packets: fi.Packets, Bytes: fi.Bytes,
		AgeSeconds: fi.Age.Seconds(), IdleSeconds: fi.Idle.Seconds(),
	}
}
