package dpdk

/*
#include <stdlib.h>
#include <string.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_launch.h>
#include "gw.h"

// Benchmark only: configures a probed port with one rx and one tx queue
// on pool, MTU mtu and, when scatter is set, multi-segment receive and
// transmit (frames larger than one mbuf arrive and leave chained), then
// starts it.
static int gw_segbench_setup(uint16_t port, struct rte_mempool *pool, uint16_t mtu, int scatter)
{
	struct rte_eth_conf conf;
	struct rte_eth_rxconf rxc;
	struct rte_eth_txconf txc;
	struct rte_eth_dev_info info;
	uint16_t nrxd = 1024, ntxd = 1024;
	int ret;

	ret = rte_eth_dev_info_get(port, &info);
	if (ret != 0)
		return ret;
	memset(&conf, 0, sizeof(conf));
	if (scatter) {
		conf.rxmode.offloads = RTE_ETH_RX_OFFLOAD_SCATTER & info.rx_offload_capa;
		conf.txmode.offloads = RTE_ETH_TX_OFFLOAD_MULTI_SEGS & info.tx_offload_capa;
	}
	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	if (ret != 0)
		return ret;
	ret = rte_eth_dev_set_mtu(port, mtu);
	if (ret != 0 && ret != -ENOTSUP)
		return ret;
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nrxd, &ntxd);
	if (ret != 0)
		return ret;
	rxc = info.default_rxconf;
	rxc.offloads = conf.rxmode.offloads;
	txc = info.default_txconf;
	txc.offloads = conf.txmode.offloads;
	ret = rte_eth_rx_queue_setup(port, 0, nrxd, rte_eth_dev_socket_id(port) < 0 ? 0 : rte_eth_dev_socket_id(port), &rxc, pool);
	if (ret != 0)
		return ret;
	ret = rte_eth_tx_queue_setup(port, 0, ntxd, rte_eth_dev_socket_id(port) < 0 ? 0 : rte_eth_dev_socket_id(port), &txc);
	if (ret != 0)
		return ret;
	return rte_eth_dev_start(port);
}

struct gw_segbench_arg {
	uint16_t gen, in, out, sink;
	struct rte_mempool *gen_pool;
	uint32_t len;
	uint64_t n, max_polls;
	uint64_t done, segs, cpu_ns;
	int err;
};

// Benchmark only, on a worker lcore: gen transmits copies of GW_BURST
// frames of len bytes (its PMD copies them to in), in's bursts are sent
// out of out unchanged (the port pair under test: single- or
// multi-segment mbufs), sink receives and frees them; until n frames
// reached sink. segs counts the segments of what in received.
static int gw_segbench_entry(void *p)
{
	struct gw_segbench_arg *a = p;
	struct rte_mbuf *src[GW_BURST], *m[GW_BURST];
	uint64_t t0;

	if (rte_pktmbuf_alloc_bulk(a->gen_pool, src, GW_BURST) != 0) {
		a->err = -ENOBUFS;
		return 0;
	}
	for (int i = 0; i < GW_BURST; i++) {
		char *d = rte_pktmbuf_append(src[i], a->len);

		if (d == NULL) {
			rte_pktmbuf_free_bulk(src, GW_BURST);
			a->err = -EMSGSIZE;
			return 0;
		}
		memset(d, 0xa5, a->len);
		memset(d, 0x02, 12); // unicast MACs
		d[12] = 0x08;
		d[13] = 0x00;
	}
	t0 = gw_thread_cpu_ns();
	for (uint64_t polls = 0; a->done < a->n && polls < a->max_polls; polls++) {
		uint16_t sent, n, k;

		for (int i = 0; i < GW_BURST; i++)
			rte_mbuf_refcnt_update(src[i], 1);
		sent = rte_eth_tx_burst(a->gen, 0, src, GW_BURST);
		for (int i = sent; i < GW_BURST; i++)
			rte_mbuf_refcnt_update(src[i], -1);
		n = rte_eth_rx_burst(a->in, 0, m, GW_BURST);
		for (uint16_t i = 0; i < n; i++)
			a->segs += m[i]->nb_segs;
		sent = rte_eth_tx_burst(a->out, 0, m, n);
		if (sent < n)
			rte_pktmbuf_free_bulk(&m[sent], n - sent);
		k = rte_eth_rx_burst(a->sink, 0, m, GW_BURST);
		a->done += k;
		rte_pktmbuf_free_bulk(m, k);
	}
	a->cpu_ns = gw_thread_cpu_ns() - t0;
	rte_pktmbuf_free_bulk(src, GW_BURST);
	return 0;
}

static int gw_launch_segbench(unsigned int lcore, struct gw_segbench_arg *a)
{
	return rte_eal_remote_launch(gw_segbench_entry, a, lcore);
}
*/
import "C"

import (
	"fmt"
	"time"
	"unsafe"
)

// segBench is a benchmark's port chain: gen -> in (PMD copy), in -> out
// (the loop), out -> sink (PMD copy). in and out are the ports under
// test.
type segBench struct {
	gen, in, out, sink *Port
	genPool            *Mempool
}

// setupSegBench configures an opened, unstarted port for the benchmark:
// MTU mtu, one queue each way on pool, multi-segment receive and
// transmit when scatter is set. Benchmarks only.
func (p *Port) setupSegBench(pool *Mempool, mtu int, scatter bool) error {
	return p.e.Do(func() error {
		sc := C.int(0)
		if scatter {
			sc = 1
		}
		if rc := C.gw_segbench_setup(C.uint16_t(p.id), pool.p, C.uint16_t(mtu), sc); rc != 0 {
			return fmt.Errorf("dpdk: port %s: benchmark setup (MTU %d, scatter %v): %s", p.name, mtu, scatter, rteStrerror(-int(rc), 0))
		}
		p.started = true
		return nil
	})
}

// run moves n frames of frameLen bytes through the chain on a worker
// lcore; it returns the frames that reached sink, the segments per frame
// in received, the wall time and the lcore's CPU time.
func (s *segBench) run(lcore int, frameLen int, n uint64) (done uint64, segsPerFrame float64, wall, cpu time.Duration, err error) {
	e := s.in.e
	a := (*C.struct_gw_segbench_arg)(C.calloc(1, C.size_t(unsafe.Sizeof(C.struct_gw_segbench_arg{}))))
	defer C.free(unsafe.Pointer(a))
	a.gen, a.in, a.out, a.sink = C.uint16_t(s.gen.id), C.uint16_t(s.in.id), C.uint16_t(s.out.id), C.uint16_t(s.sink.id)
	a.gen_pool, a.len, a.n = s.genPool.p, C.uint32_t(frameLen), C.uint64_t(n)
	a.max_polls = C.uint64_t(n*4 + 100_000)
	start := time.Now()
	err = e.Do(func() error {
		if rc := C.gw_launch_segbench(C.uint(lcore), a); rc != 0 {
			return fmt.Errorf("dpdk: launching the segment benchmark on lcore %d: %s", lcore, rteStrerror(-int(rc), 0))
		}
		C.rte_eal_wait_lcore(C.uint(lcore))
		return nil
	})
	wall = time.Since(start)
	if err == nil && a.err != 0 {
		err = fmt.Errorf("dpdk: segment benchmark: %s", rteStrerror(-int(a.err), 0))
	}
	if a.done > 0 {
		segsPerFrame = float64(a.segs) / float64(a.done)
	}
	return uint64(a.done), segsPerFrame, wall, time.Duration(a.cpu_ns), err
}
