package engine

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/gwlbctl/gwlbctl/fastpath/packet"
)

// Several workers (one per RSS queue) each own a flow table, so the
// appliance's return must reach the queue of the worker that encapsulated
// the packet. The NIC hashes the return (IPv4/UDP, target -> node, source
// port kept by the appliance, destination 6081) with Toeplitz and looks
// the hash's low bits up in its redirection table (RETA). Toeplitz is
// linear over XOR, so hash(target, node, port, 6081) = hash(target, node,
// 0, 6081) ^ hash(0, 0, port, 0): knowing the key and the RETA, a worker
// can pick, for each target, source ports whose return lands on its own
// queue. RSSPorts does that; pass its Port method as
// WorkerOptions.SourcePort. Endpoint-side traffic must also stay on one
// worker per flow in both directions: configure a symmetric RSS key (for
// example 0x6d5a repeated) on endpoint ports.

// Toeplitz computes the RSS Toeplitz hash of data under key (len(key) >=
// len(data)+4), as NICs and DPDK's rte_softrss do.
func Toeplitz(key, data []byte) uint32 {
	var h uint32
	v := binary.BigEndian.Uint32(key)
	for i, b := range data {
		for bit := 7; bit >= 0; bit-- {
			if b&(1<<bit) != 0 {
				h ^= v
			}
			v <<= 1
			if i+4 < len(key) && key[i+4]&(1<<bit) != 0 {
				v |= 1
			}
		}
	}
	return h
}

// RSSPorts picks outer UDP source ports whose Geneve returns the NIC
// steers to one queue.
type RSSPorts struct {
	key    []byte
	mask   uint32
	good   []uint32   // RETA indices that point at our queue
	byLow  [][]uint16 // ports by the low bits of hash(0, 0, port, 0)
	cfg    *Config
	perTgt []uint32 // low bits of hash(target, node, 0, 6081), by target index
}

// NewRSSPorts prepares the picker for the worker on queue of a port with
// the given Toeplitz key and redirection table (reta[i] = queue of index
// i; its length a power of two, e.g. 128 for ENA).
func NewRSSPorts(key []byte, reta []uint16, queue uint16) (*RSSPorts, error) {
	n := len(reta)
	if n == 0 || n&(n-1) != 0 || n > 1<<14 {
		return nil, fmt.Errorf("engine: RSS redirection table of %d entries: want a power of two up to 16384", n)
	}
	if len(key) < 16 {
		return nil, errors.New("engine: RSS key shorter than 16 bytes (IPv4 4-tuple needs 12 + 4)")
	}
	r := &RSSPorts{key: append([]byte(nil), key...), mask: uint32(n - 1), byLow: make([][]uint16, n)}
	for i, q := range reta {
		if q == queue {
			r.good = append(r.good, uint32(i))
		}
	}
	if len(r.good) == 0 {
		return nil, fmt.Errorf("engine: no RSS redirection entry points at queue %d", queue)
	}
	var tuple [12]byte
	for p := packet.GeneveSourcePortMin; p <= 0xffff; p++ {
		binary.BigEndian.PutUint16(tuple[8:], uint16(p))
		v := Toeplitz(r.key, tuple[:]) & r.mask
		r.byLow[v] = append(r.byLow[v], uint16(p))
	}
	return r, nil
}

// Port returns the source port for a packet of flow hash h to target index
// t of cfg. It recomputes its per-target constants when cfg changes (a
// few microseconds per target, on the worker, between bursts of a reload).
func (r *RSSPorts) Port(cfg *Config, t uint16, h uint64) uint16 {
	if cfg != r.cfg {
		r.cfg = cfg
		r.perTgt = r.perTgt[:0]
		var tuple [12]byte
		copy(tuple[4:8], cfg.nodeIP[:])
		binary.BigEndian.PutUint16(tuple[10:], packet.GenevePort)
		for i := range cfg.targets {
			copy(tuple[0:4], cfg.targets[i].ip[:])
			r.perTgt = append(r.perTgt, Toeplitz(r.key, tuple[:])&r.mask)
		}
	}
	if int(t) >= len(r.perTgt) {
		return packet.GeneveSourcePort(uint32(h))
	}
	idx := r.good[uint32(h)%uint32(len(r.good))]
	ports := r.byLow[(idx^r.perTgt[t])&r.mask]
	if len(ports) == 0 {
		return packet.GeneveSourcePort(uint32(h))
	}
	return ports[uint32(h>>32)%uint32(len(ports))]
}
