package dpdk

/*
#include <string.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include "gw.h"

// Copies frames laid end to end in data (lengths in lens) into mbufs and
// transmits them; returns how many the PMD took (the rest are freed).
static int gw_send_frames(uint16_t port, uint16_t queue, struct rte_mempool *mp,
			  const uint8_t *data, const uint16_t *lens, int n)
{
	struct rte_mbuf *m[GW_BURST];
	int done = 0;

	while (done < n) {
		int k = n - done > GW_BURST ? GW_BURST : n - done;
		uint16_t sent;

		if (rte_pktmbuf_alloc_bulk(mp, m, k) != 0)
			return -ENOBUFS;
		for (int i = 0; i < k; i++) {
			char *p = rte_pktmbuf_append(m[i], lens[done + i]);
			if (p == NULL) {
				rte_pktmbuf_free_bulk(m, k);
				return -EMSGSIZE;
			}
			memcpy(p, data, lens[done + i]);
			data += lens[done + i];
		}
		sent = rte_eth_tx_burst(port, queue, m, k);
		if (sent < k) {
			rte_pktmbuf_free_bulk(&m[sent], k - sent);
			return done + sent;
		}
		done += k;
	}
	return done;
}

// Receives one burst and copies the frames into out (cap bytes), their
// lengths into lens; frames that do not fit are dropped. Returns the count.
static int gw_recv_frames(uint16_t port, uint16_t queue, uint8_t *out, int cap, uint16_t *lens)
{
	struct rte_mbuf *m[GW_BURST];
	uint16_t n = rte_eth_rx_burst(port, queue, m, GW_BURST);
	int k = 0, used = 0;

	for (uint16_t i = 0; i < n; i++) {
		uint32_t len = rte_pktmbuf_pkt_len(m[i]);
		if (used + (int)len <= cap) {
			const void *d = rte_pktmbuf_read(m[i], 0, len, out + used);
			// rte_pktmbuf_read copies only when the data is chained.
			if (d != NULL && d != out + used)
				memcpy(out + used, d, len);
			lens[k++] = len;
			used += len;
		}
		rte_pktmbuf_free(m[i]);
	}
	return k;
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// SendFrames transmits copies of frames on the port's tx queue from the
// calling control path (tests, diagnostics). The queue must not be used by
// a running worker at the same time (tx queues are not thread-safe).
func (p *Port) SendFrames(queue int, pool *Mempool, frames [][]byte) (int, error) {
	total := 0
	for _, f := range frames {
		total += len(f)
	}
	if len(frames) == 0 {
		return 0, nil
	}
	data := C.malloc(C.size_t(total))
	lens := (*C.uint16_t)(C.malloc(C.size_t(len(frames)) * 2))
	defer C.free(data)
	defer C.free(unsafe.Pointer(lens))
	d := unsafe.Slice((*byte)(data), total)
	l := unsafe.Slice(lens, len(frames))
	off := 0
	for i, f := range frames {
		off += copy(d[off:], f)
		l[i] = C.uint16_t(len(f))
	}
	var n C.int
	err := p.e.Do(func() error {
		n = C.gw_send_frames(C.uint16_t(p.id), C.uint16_t(queue), pool.p, (*C.uint8_t)(data), lens, C.int(len(frames)))
		return nil
	})
	if err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, fmt.Errorf("dpdk: port %s: sending frames: %s", p.name, rteStrerror(-int(n), 0))
	}
	return int(n), nil
}

// ReceiveFrames polls one burst from the port's rx queue and returns
// copies of the frames. The queue must not be polled by a running worker.
func (p *Port) ReceiveFrames(queue int) ([][]byte, error) {
	const capBytes = Burst * 10240
	out := C.malloc(capBytes)
	lens := (*C.uint16_t)(C.malloc(Burst * 2))
	defer C.free(out)
	defer C.free(unsafe.Pointer(lens))
	var n C.int
	if err := p.e.Do(func() error {
		n = C.gw_recv_frames(C.uint16_t(p.id), C.uint16_t(queue), (*C.uint8_t)(out), capBytes, lens)
		return nil
	}); err != nil {
		return nil, err
	}
	frames := make([][]byte, 0, int(n))
	o := unsafe.Slice((*byte)(out), capBytes)
	l := unsafe.Slice(lens, Burst)
	off := 0
	for i := 0; i < int(n); i++ {
		frames = append(frames, append([]byte(nil), o[off:off+int(l[i])]...))
		off += int(l[i])
	}
	return frames, nil
}
