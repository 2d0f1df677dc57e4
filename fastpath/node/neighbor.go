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
