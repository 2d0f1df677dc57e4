package node

import (
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/gwlbctl/gwlbctl/fastpath/kernel"
)

// Neighbors answers "which MAC has this next hop" for the snapshot builder:
// static entries from the node config first, then the kernel's neighbour
// table of the exception TAP. The kernel owns ARP: the TAP carries its
// requests out of the appliance port and the replies back in, so the node
// needs no ARP code of its own and no static MACs.
type Neighbors struct {
	static map[netip.Addr][6]byte
	tap    string // kernel interface; "" when there is no exception path

	mu     sync.Mutex
	kernel map[netip.Addr][6]byte
	probed map[netip.Addr]time.Time
}

// NewNeighbors returns a resolver over static entries and the TAP named
// tap (may be empty).
func NewNeighbors(static map[netip.Addr]net.HardwareAddr, tap string) *Neighbors {
	n := &Neighbors{static: map[netip.Addr][6]byte{}, tap: tap, kernel: map[netip.Addr][6]byte{}, probed: map[netip.Addr]time.Time{}}
	for a, m := range static {
		n.static[a] = [6]byte(m)
	}
	return n
}

// Lookup is a NeighborFunc.
func (n *Neighbors) Lookup(a netip.Addr) ([6]byte, bool) {
	if m, ok := n.static[a]; ok {
		return m, true
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	m, ok := n.kernel[a]
	return m, ok
}

// Refresh re-reads the kernel's neighbour table of the TAP and reports
// whether an entry appeared or changed.
func (n *Neighbors) Refresh() bool {
	if n.tap == "" {
		return false
	}
	list, err := kernel.Neighbours(n.tap)
	if err != nil {
		return false
	}
	fresh := make(map[netip.Addr][6]byte, len(list))
	for _, e := range list {
		fresh[e.IP] = [6]byte(e.MAC)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	changed := len(fresh) != len(n.kernel)
	for a, m := range fresh {
		if old, ok := n.kernel[a]; !ok || old != m {
			changed = true
		}
	}
	n.kernel = fresh
	return changed
}

// Resolve is the Reloader's hook: it refreshes the table and reports
// whether any of addrs is known now; the others are probed (at most once
// a second each) so the kernel sends an ARP request through the TAP.
func (n *Neighbors) Resolve(addrs []netip.Addr) bool {
	n.Refresh()
	known := false
	now := time.Now()
	for _, a := range addrs {
		if _, ok := n.Lookup(a); ok {
			known = true
			continue
		}
		if n.tap == "" {
			continue
		}
		n.mu.Lock()
		due := now.Sub(n.probed[a]) >= time.Second
		if due {
			n.probed[a] = now
		}
		n.mu.Unlock()
		if due {
			_ = kernel.ResolveNeighbour(n.tap, a)
		}
	}
	return known
}

// startResolveWait bounds how long serve waits at start, with the
// forwarder running (the kernel's ARP requests and their answers cross
// it), for its targets' and routers' next hops to answer before it
// registers and reports forwarding: a node that took flows first dropped
// their first packets as no_neighbor until the next poll after the answer.
const startResolveWait = 3 * time.Second

// resolveAtStart waits, at most startResolveWait, until the first
// snapshot's targets and the routed endpoints' routers have MACs,
// publishing a snapshot as they resolve, and names those that did not.
func (n *Node) resolveAtStart(routed *endpointNeighbors) {
	start := time.Now()
	for {
		var left []netip.Addr
		if n.cfg.Appliance.TAP != "" { // without a TAP nothing resolves them
			left = n.rl.resolveNow()
		}
		if routed != nil {
			left = append(left, routed.unresolved()...)
		}
		if len(left) == 0 {
			break
		}
		if time.Since(start) >= startResolveWait {
			n.log.Warn("node: next hops that did not answer ARP or neighbour discovery at start: packets to them are dropped as no_neighbor until they do",
				"addresses", left, "waited", startResolveWait)
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if routed != nil && routed.Poll() {
		if err := n.rl.rebuild("endpoint next hop resolved"); err != nil {
			n.log.Error("node: the config could not be rebuilt; the last good one stays in force", "err", err)
		}
	}
}

// resolveNow asks the kernel once more for the last snapshot's unresolved
// next hops, publishes a new snapshot when some resolved, and returns
// those still unresolved.
func (r *Reloader) resolveNow() []netip.Addr {
	if u := r.last.Unresolved; len(u) > 0 && r.Resolve != nil && r.Resolve(u) {
		if err := r.rebuild("next hop resolved"); err != nil {
			r.Log.Error("node: the config could not be rebuilt; the last good one stays in force", "err", err)
			return u
		}
	}
	return r.last.Unresolved
}

// unresolved asks the kernel again for the configured routers it has no
// MAC for (each at most once a second) and returns them.
func (e *endpointNeighbors) unresolved() []netip.Addr {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []netip.Addr
	for _, p := range e.ports {
		nb := e.tap[p]
		nb.Resolve(e.hops[p])
		for _, h := range e.hops[p] {
			if _, ok := nb.Lookup(h); !ok {
				out = append(out, h)
			}
		}
	}
	return out
}
