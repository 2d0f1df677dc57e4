package dpdk

/*
#include <stdlib.h>
#include <errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_errno.h>
#include "gw.h"
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// Headroom is DPDK's mbuf headroom in front of a received frame; the engine
// needs engine.OuterHeadroom-14 bytes of it to encapsulate in place.
const Headroom = C.RTE_PKTMBUF_HEADROOM

// DefaultDataRoom is DPDK's default mbuf data room (2048 + headroom): one
// segment holds a 1500-byte-MTU frame plus the Geneve overhead.
const DefaultDataRoom = C.RTE_MBUF_DEFAULT_BUF_SIZE

const poolCache = 256

// DataRoomForMTU returns the mbuf data room that keeps a frame of the given
// MTU (plus Ethernet, one VLAN tag and CRC) in one segment after the
// headroom: the engine only handles single-segment packets.
func DataRoomForMTU(mtu int) int {
	need := Headroom + mtu + 14 + 4 + 4
	if need < DefaultDataRoom {
		return DefaultDataRoom
	}
	return (need + 127) &^ 127
}

// Mempool is a pool of packet buffers (mbufs).
type Mempool struct {
	e        *EAL
	p        *C.struct_rte_mempool
	name     string
	size     int
	dataRoom int
}

// NewMempool creates a pool of n mbufs with the given data room (headroom
// included; DefaultDataRoom when 0) on the main lcore's socket.
func (e *EAL) NewMempool(name string, n, dataRoom int) (*Mempool, error) {
	if dataRoom == 0 {
		dataRoom = DefaultDataRoom
	}
	if dataRoom <= Headroom || dataRoom > 65535 {
		return nil, fmt.Errorf("dpdk: mempool %s: data room %d must be between %d and 65535", name, dataRoom, Headroom+1)
	}
	if n < 2*poolCache {
		return nil, fmt.Errorf("dpdk: mempool %s: %d mbufs is too few (at least %d)", name, n, 2*poolCache)
	}
	m := &Mempool{e: e, name: name, size: n, dataRoom: dataRoom}
	err := e.Do(func() error {
		cname := C.CString(name)
		defer C.free(unsafe.Pointer(cname))
		m.p = C.rte_pktmbuf_pool_create(cname, C.uint(n), poolCache, 0, C.uint16_t(dataRoom), C.int(C.rte_socket_id()))
		if m.p == nil {
			errno := C.gw_errno()
			if errno == C.ENOTSUP {
				// rte_mempool_set_ops_byname found no "ring_mp_mc" handler.
				return fmt.Errorf("dpdk: mempool %s: EAL has no ring mempool handler: is its driver librte_mempool_ring (Debian package librte-mempool-ring23) installed?", name)
			}
			return fmt.Errorf("dpdk: mempool %s (%d mbufs of %d bytes): %s; free hugepages or lower the mbuf count",
				name, n, dataRoom, rteStrerror(0, errno))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Name returns the pool's name.
func (m *Mempool) Name() string { return m.name }

// Size returns the pool's mbuf count.
func (m *Mempool) Size() int { return m.size }

// DataRoom returns the data room of each mbuf, headroom included.
func (m *Mempool) DataRoom() int { return m.dataRoom }

// Available returns the mbufs currently free (approximate while workers run).
func (m *Mempool) Available() int { return int(C.rte_mempool_avail_count(m.p)) }

// InUse returns the mbufs currently allocated.
func (m *Mempool) InUse() int { return int(C.rte_mempool_in_use_count(m.p)) }

// Free releases the pool. Close every port using it first.
func (m *Mempool) Free() {
	if m.p == nil {
		return
	}
	_ = m.e.Do(func() error { C.rte_mempool_free(m.p); return nil })
	m.p = nil
}
