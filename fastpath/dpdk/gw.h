/*
 * C half of fastpath/dpdk: the parts that must touch DPDK's inline fast-path
 * functions (rx/tx bursts, mbuf free) or its per-thread state (rte_errno),
 * kept small so the Go side makes one cgo call per burst.
 */
#ifndef GWLBCTL_FASTPATH_DPDK_GW_H
#define GWLBCTL_FASTPATH_DPDK_GW_H

#include <stdint.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

/* Burst size: one rx burst, and one tx burst per output port. */
#define GW_BURST 32
/* Pass gaps (gw_counters.pass_gaps): the histogram's buckets, and the
 * unit of bucket 0's bound and of pass_gap_sq, 1 << GW_PASS_GAP_SHIFT ns. */
#define GW_PASS_GAP_BUCKETS 16
#define GW_PASS_GAP_SHIFT 10
/* Limits of one worker: ports in the forwarder's list, rx queues it polls. */
#define GW_MAX_PORTS 32
#define GW_MAX_RXQ 32
/* Most forwarding workers (flow.MaxWorkers: a cookie names its worker in
 * 4 bits), and each worker's hand-off inbox size. */
#define GW_MAX_WORKERS 16
#define GW_INBOX_SIZE 4096
/* Largest RSS redirection table read (ENA has 128 entries, others 512). */
#define GW_MAX_RETA 2048

/* Destinations written by Go into gw_worker.dest for each received mbuf:
 * a port index (transmit there), GW_DEST_EXCEPTION + a port index (to that
 * port's exception TAP) or GW_DEST_DROP. */
#define GW_DEST_DROP 0xffff
#define GW_DEST_EXCEPTION 0x8000
/* GW_DEST_HANDOFF + a worker index: to that worker's inbox (the engine's
 * Handoff verdict); Go has written the receiving port's index into the
 * mbuf's port field, which the inbox's reader takes it from. */
#define GW_DEST_HANDOFF 0x4000

/* A transmit buffer for one (port, queue): filled by gw_step, flushed when
 * full and once per pass. */
struct gw_txbuf {
	uint16_t port_id;
	uint16_t queue_id;
	uint16_t n;
	uint16_t enabled;
	uint64_t sent;   /* packets the PMD accepted */
	uint64_t unsent; /* packets the PMD refused: freed here */
	struct rte_mbuf *m[GW_BURST];
};

/* Hand-offs to one peer worker: staged here, enqueued on its inbox (an
 * rte_ring, multi-producer single-consumer) when full and once per pass. */
struct gw_handoff {
	struct rte_ring *inbox; /* the peer's; NULL for the worker itself */
	uint16_t n;
	uint64_t sent;   /* mbufs the peer's inbox took */
	uint64_t unsent; /* mbufs refused by a full inbox: freed here */
	struct rte_mbuf *m[GW_BURST];
};

struct gw_rxq {
	uint16_t port_id;
	uint16_t queue_id;
};

/* One port's exception TAP as a worker reads it: frames the kernel sends
 * through the TAP (rx) leave unchanged on the port (tx[port]). */
struct gw_exc {
	struct gw_rxq rx;
	uint16_t port;       /* index of the port in the forwarder's list */
	uint64_t kernel_out; /* frames handed to that port */
};

/* Per-worker counters; written only by the worker's thread, read by anyone
 * (aligned 64-bit loads on the platforms DPDK supports are not torn). */
struct gw_counters {
	uint64_t passes;          /* poll passes over all rx queues */
	uint64_t rx;              /* packets handed to the engine */
	uint64_t multiseg;        /* multi-segment mbufs dropped before the engine */
	uint64_t dropped;         /* Drop verdicts (and invalid destinations) freed */
	uint64_t exception;       /* packets handed to the kernel TAPs */
	uint64_t kernel_out;      /* frames the kernel sent through the TAPs */
	uint64_t kernel_multiseg; /* of those, multi-segment ones dropped */
	uint64_t handoff_in;      /* mbufs taken from the inbox (other workers' hand-offs) */
	/* Time between the ends of two passes: a log2 histogram, with u =
	 * 1 << GW_PASS_GAP_SHIFT ns, bucket 0 under u, bucket b
	 * (1..GW_PASS_GAP_BUCKETS-2) from u << (b-1) up to u << b, the last one
	 * the rest; and the sum. A packet that arrives during a long gap waits
	 * for its end. pass_gap_sq sums the squares of the gaps in whole u:
	 * with the sum it gives the mean wait of a packet arriving at a
	 * random time, sq u^2 / (2 sum). */
	uint64_t pass_gaps[GW_PASS_GAP_BUCKETS];
	uint64_t pass_gap_ns;
	uint64_t pass_gap_sq;
};

struct gw_worker {
	/* Burst arrays live here, in C memory, so Go never passes a slice of
	 * C pointers through cgo (the pointer checker would walk it). */
	struct rte_mbuf *rx[GW_BURST];
	uint16_t dest[GW_BURST];

	uint16_t nrxq;
	struct gw_rxq rxq[GW_MAX_RXQ];

	/* Hand-off between workers: gw_step with q == nrxq reads the inbox
	 * (when there is one); a GW_DEST_HANDOFF + k destination goes to
	 * ho[k]. */
	struct rte_ring *inbox;
	uint16_t nworkers;
	struct gw_handoff ho[GW_MAX_WORKERS];

	uint16_t nports;
	struct gw_txbuf tx[GW_MAX_PORTS]; /* by port index */

	/* Exception paths, one per port that has a TAP: an Exception verdict
	 * for port i goes out on exc_tx[i] (its TAP); frames read from
	 * exc[k].rx go unchanged to tx[exc[k].port]. */
	uint16_t nexc;
	struct gw_exc exc[GW_MAX_PORTS];
	struct gw_txbuf exc_tx[GW_MAX_PORTS]; /* by port index */

	/* Clock for the engine: now_ns is refreshed from the TSC once per
	 * pass (a vDSO clock_gettime per pass cost ~5% of a no-op forwarder);
	 * Go re-anchors it to CLOCK_MONOTONIC every few thousand passes by
	 * setting anchor_ns and reanchor. */
	uint64_t now_ns;
	uint64_t anchor_ns;
	uint64_t anchor_tsc;
	uint64_t tsc_mult; /* ns per TSC tick, 32.32 fixed point */
	uint32_t reanchor;

	struct gw_counters c;
};

uint16_t gw_step(struct gw_worker *w, uint16_t ndone, uint16_t q);
void gw_drain(struct gw_worker *w, uint16_t ndone);
struct rte_ring *gw_inbox_create(const char *name);
void gw_inbox_free(struct rte_ring *r);

int gw_eal_init(int argc, char **argv, char **out, char **err);
void gw_capture_begin(void);
char *gw_capture_end(void);
int gw_errno(void);
int gw_port_configure(uint16_t port_id, uint16_t nrxq, uint16_t ntxq, int rss);
int gw_link(uint16_t port_id, uint32_t *speed, int *up, int *full_duplex);
int gw_rss_get(uint16_t port_id, uint8_t *key, uint8_t *key_len, uint64_t *hf, uint16_t *reta, uint16_t *reta_size);
void gw_rss_symmetric_key(uint8_t *key, size_t len);
int gw_watch_reset(uint16_t port_id);
int gw_take_reset(uint16_t port_id);
void gw_request_reset(uint16_t port_id);
uint64_t gw_thread_cpu_ns(void);
int gw_launch(unsigned int lcore, uintptr_t handle);
uint64_t gw_c_forward(uint16_t in_port, uint16_t out_port, uint64_t npkts, uint64_t max_polls);

#endif
