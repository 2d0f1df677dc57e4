#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* fopencookie */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_timer.h>
#include <rte_branch_prediction.h>
#include <rte_launch.h>
#include <rte_cycles.h>

#include "gw.h"

static inline void gw_flush(struct gw_txbuf *t)
{
	uint16_t n = t->n, sent;

	if (n == 0)
		return;
	sent = rte_eth_tx_burst(t->port_id, t->queue_id, t->m, n);
	t->sent += sent;
	if (unlikely(sent < n)) {
		rte_pktmbuf_free_bulk(&t->m[sent], n - sent);
		t->unsent += n - sent;
	}
	t->n = 0;
}

static inline void gw_push(struct gw_txbuf *t, struct rte_mbuf *m)
{
	t->m[t->n++] = m;
	if (unlikely(t->n == GW_BURST))
		gw_flush(t);
}

static inline void gw_handoff_flush(struct gw_handoff *h)
{
	unsigned int n = h->n, sent;

	if (n == 0)
		return;
	sent = rte_ring_mp_enqueue_burst(h->inbox, (void **)h->m, n, NULL);
	h->sent += sent;
	if (unlikely(sent < n)) {
		rte_pktmbuf_free_bulk(&h->m[sent], n - sent);
		h->unsent += n - sent;
	}
	h->n = 0;
}

static inline void gw_handoff_push(struct gw_handoff *h, struct rte_mbuf *m)
{
	h->m[h->n++] = m;
	if (unlikely(h->n == GW_BURST))
		gw_handoff_flush(h);
}

/* Hands the previous burst's ndone mbufs to their destinations. */
static inline void gw_dispose(struct gw_worker *w, uint16_t ndone)
{
	/* Fast path: a full burst for one port whose buffer is empty leaves
	 * as it is (the common case under load: a bump side or the appliance
	 * port takes everything); order is kept since nothing is pending. */
	if (ndone == GW_BURST) {
		uint16_t d = w->dest[0], i = 1;

		if (d < w->nports && w->tx[d].enabled && w->tx[d].n == 0) {
			while (i < ndone && w->dest[i] == d)
				i++;
			if (i == ndone) {
				struct gw_txbuf *t = &w->tx[d];
				uint16_t sent = rte_eth_tx_burst(t->port_id, t->queue_id, w->rx, ndone);

				t->sent += sent;
				if (unlikely(sent < ndone)) {
					rte_pktmbuf_free_bulk(&w->rx[sent], ndone - sent);
					t->unsent += ndone - sent;
				}
				return;
			}
		}
	}
	for (uint16_t i = 0; i < ndone; i++) {
		uint16_t d = w->dest[i];
		struct rte_mbuf *m = w->rx[i];

		if (likely(d < w->nports && w->tx[d].enabled)) {
			gw_push(&w->tx[d], m);
		} else if (d >= GW_DEST_EXCEPTION && d - GW_DEST_EXCEPTION < w->nports &&
			   w->exc_tx[d - GW_DEST_EXCEPTION].enabled) {
			w->c.exception++;
			gw_push(&w->exc_tx[d - GW_DEST_EXCEPTION], m);
		} else if (d >= GW_DEST_HANDOFF && d < GW_DEST_EXCEPTION && d - GW_DEST_HANDOFF < w->nworkers &&
			   w->ho[d - GW_DEST_HANDOFF].inbox != NULL) {
			gw_handoff_push(&w->ho[d - GW_DEST_HANDOFF], m);
		} else {
			w->c.dropped++;
			rte_pktmbuf_free(m);
		}
	}
}

/* Frames the kernel sends through a port's TAP leave unchanged on that
 * port: the engine never sees them. */
static inline void gw_kernel_out(struct gw_worker *w, struct gw_exc *x)
{
	struct rte_mbuf *m[GW_BURST];
	struct gw_txbuf *t = &w->tx[x->port];
	uint16_t n = rte_eth_rx_burst(x->rx.port_id, x->rx.queue_id, m, GW_BURST);

	for (uint16_t i = 0; i < n; i++) {
		if (unlikely(m[i]->nb_segs != 1)) {
			w->c.kernel_multiseg++;
			rte_pktmbuf_free(m[i]);
			continue;
		}
		w->c.kernel_out++;
		x->kernel_out++;
		gw_push(t, m[i]);
	}
}

static inline void gw_end_pass(struct gw_worker *w)
{
	uint64_t tsc = rte_rdtsc();

	if (unlikely(w->reanchor)) {
		w->anchor_tsc = tsc;
		w->reanchor = 0;
	}
	uint64_t now = w->anchor_ns + (uint64_t)(((unsigned __int128)(tsc - w->anchor_tsc) * w->tsc_mult) >> 32);
	/* The first pass has no gap; a re-anchor may step the clock back. */
	if (likely(w->c.passes != 0 && now >= w->now_ns)) {
		uint64_t gap = now - w->now_ns, units = gap >> GW_PASS_GAP_SHIFT;
		unsigned b = units == 0 ? 0 : 64 - __builtin_clzll(units);
		if (b >= GW_PASS_GAP_BUCKETS)
			b = GW_PASS_GAP_BUCKETS - 1;
		w->c.pass_gaps[b]++;
		w->c.pass_gap_ns += gap;
		w->c.pass_gap_sq += units * units;
	}
	w->now_ns = now;
	for (uint16_t k = 0; k < w->nexc; k++)
		gw_kernel_out(w, &w->exc[k]);
	for (uint16_t p = 0; p < w->nports; p++)
		gw_flush(&w->tx[p]);
	for (uint16_t k = 0; k < w->nexc; k++)
		gw_flush(&w->exc_tx[w->exc[k].port]);
	for (uint16_t k = 0; k < w->nworkers; k++)
		if (w->ho[k].inbox != NULL)
			gw_handoff_flush(&w->ho[k]);
	w->c.passes++;
}

/*
 * gw_step is the worker's only per-burst cgo call: it disposes of the ndone
 * mbufs of the previous burst (whose destinations Go wrote into w->dest),
 * ends the pass when q is 0 (kernel frames out of every TAP, every tx
 * buffer and hand-off flushed), then receives a burst from rx queue q
 * into w->rx and returns its size; q == nrxq reads the worker's inbox
 * instead (other workers' hand-offs, each mbuf's port field holding the
 * index of the port it arrived on).
 * Multi-segment mbufs are dropped and counted here: the engine works on one
 * contiguous buffer per packet, and the pool's data room is sized from the
 * MTU so a single segment always fits.
 */
uint16_t gw_step(struct gw_worker *w, uint16_t ndone, uint16_t q)
{
	uint16_t n, kept;

	gw_dispose(w, ndone);
	if (q == 0)
		gw_end_pass(w);
	if (q >= w->nrxq) {
		/* The inbox: mbufs other workers received and checked already. */
		n = rte_ring_sc_dequeue_burst(w->inbox, (void **)w->rx, GW_BURST, NULL);
		w->c.handoff_in += n;
		return n;
	}
	n = rte_eth_rx_burst(w->rxq[q].port_id, w->rxq[q].queue_id, w->rx, GW_BURST);
	kept = 0;
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = w->rx[i];

		if (unlikely(m->nb_segs != 1)) {
			w->c.multiseg++;
			rte_pktmbuf_free(m);
			continue;
		}
		w->rx[kept++] = m;
	}
	w->c.rx += kept;
	return kept;
}

/* gw_inbox_create makes a worker's hand-off inbox: any worker enqueues,
 * only its owner dequeues. NULL with rte_errno set on failure. */
struct rte_ring *gw_inbox_create(const char *name)
{
	return rte_ring_create(name, GW_INBOX_SIZE, (int)rte_socket_id(), RING_F_SC_DEQ);
}

/* gw_inbox_free frees the mbufs left in an inbox, then the ring. */
void gw_inbox_free(struct rte_ring *r)
{
	void *m[GW_BURST];
	unsigned int n;

	if (r == NULL)
		return;
	while ((n = rte_ring_sc_dequeue_burst(r, m, GW_BURST, NULL)) > 0)
		rte_pktmbuf_free_bulk((struct rte_mbuf **)m, n);
	rte_ring_free(r);
}

/* gw_drain disposes of the last burst and flushes everything: the worker's
 * last call before it stops. */
void gw_drain(struct gw_worker *w, uint16_t ndone)
{
	gw_dispose(w, ndone);
	gw_end_pass(w);
}

/*
 * DPDK's log stream. EAL logs to stdout and syslog by default; a CLI's
 * stdout is its output, so DPDK's log goes to stderr, through this one
 * stream for the life of the process (swapping streams while other EAL
 * threads log would race). While a capture is on (gw_capture_begin), lines
 * are kept instead of written, so that a failing call can put DPDK's own
 * reason into its error and a succeeding one can pass them on.
 */
#define GW_CAPTURE_MAX 65536

static pthread_mutex_t gw_log_mu = PTHREAD_MUTEX_INITIALIZER;
static int gw_capturing;
static char *gw_cap;
static size_t gw_cap_len;

/* Appends one captured message as "\x1e<level>\x1f<text>": rte_vlog
 * flushes after each message, so a write is one message and its level is
 * the one rte_log_cur_msg_loglevel reports. */
static void gw_capture_append(int level, const char *buf, size_t n)
{
	char head[16];
	int h = snprintf(head, sizeof(head), "\x1e%d\x1f", level);
	char *b;

	if (gw_cap_len + h + n > GW_CAPTURE_MAX)
		return;
	b = realloc(gw_cap, gw_cap_len + h + n + 1);
	if (b == NULL)
		return;
	memcpy(b + gw_cap_len, head, h);
	memcpy(b + gw_cap_len + h, buf, n);
	gw_cap_len += h + n;
	b[gw_cap_len] = 0;
	gw_cap = b;
}

static ssize_t gw_log_write(void *cookie, const char *buf, size_t n)
{
	(void)cookie;
	pthread_mutex_lock(&gw_log_mu);
	if (gw_capturing) {
		gw_capture_append(rte_log_cur_msg_loglevel(), buf, n);
		pthread_mutex_unlock(&gw_log_mu);
		return n;
	}
	pthread_mutex_unlock(&gw_log_mu);
	for (size_t done = 0; done < n;) {
		ssize_t w = write(2, buf + done, n - done);

		if (w <= 0)
			break;
		done += w;
	}
	return n;
}

static FILE *gw_log_stream(void)
{
	static FILE *f;

	if (f == NULL) {
		cookie_io_functions_t io = { .write = gw_log_write };

		f = fopencookie(NULL, "w", io);
		if (f == NULL)
			return stderr;
		setvbuf(f, NULL, _IOLBF, 0);
	}
	return f;
}

void gw_capture_begin(void)
{
	pthread_mutex_lock(&gw_log_mu);
	free(gw_cap);
	gw_cap = NULL;
	gw_cap_len = 0;
	gw_capturing = 1;
	pthread_mutex_unlock(&gw_log_mu);
}

/* Ends the capture and returns what was logged (malloc'd, NULL if
 * nothing; messages as gw_capture_append stores them): the caller frees
 * it. */
char *gw_capture_end(void)
{
	char *b;

	fflush(gw_log_stream());
	pthread_mutex_lock(&gw_log_mu);
	b = gw_cap;
	gw_cap = NULL;
	gw_cap_len = 0;
	gw_capturing = 0;
	pthread_mutex_unlock(&gw_log_mu);
	return b;
}

/*
 * gw_eal_init runs rte_eal_init with the log stream above. EAL prints its
 * usage text with printf on any argument it refuses, getopt names a bad
 * option on stderr and EAL adds a "FATAL" line there: C's stdout and
 * stderr point at memory streams meanwhile, and what was printed comes
 * back in *out and *err (malloc'd; the caller frees them, and passes them
 * on only if init succeeded). Go's own output uses the file descriptors,
 * not these streams.
 */
int gw_eal_init(int argc, char **argv, char **out, char **err)
{
	FILE *saved_out = stdout, *saved_err = stderr, *mo, *me;
	size_t olen = 0, elen = 0;
	int ret;

	*out = NULL;
	*err = NULL;
	rte_openlog_stream(gw_log_stream());
	mo = open_memstream(out, &olen);
	me = open_memstream(err, &elen);
	if (mo != NULL)
		stdout = mo;
	if (me != NULL)
		stderr = me;
	ret = rte_eal_init(argc, argv);
	if (mo != NULL) {
		stdout = saved_out;
		fclose(mo);
	}
	if (me != NULL) {
		stderr = saved_err;
		fclose(me);
	}
	if (ret < 0)
		return ret;
	/* The ENA PMD arms a watchdog timer: the timer library must be
	 * initialised, and rte_timer_manage called about once a second. */
	ret = rte_timer_subsystem_init();
	if (ret < 0 && ret != -EALREADY)
		return ret;
	return 0;
}

int gw_errno(void)
{
	return rte_errno;
}

static uint8_t gw_sym_key[52] = {
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d,
	0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d,
	0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
};

/* gw_port_configure configures the port's queue counts. rss: 0 none, 1
 * RSS over IP/TCP/UDP with the device's key, 2 the same with a repeated
 * 0x6d5a key, which makes Toeplitz symmetric (A->B and B->A hash alike) so
 * both directions of a flow reach the worker that owns it. Returns
 * -ENOTSUP for RSS on a device that hashes none of those. */
int gw_port_configure(uint16_t port_id, uint16_t nrxq, uint16_t ntxq, int rss)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	int ret;

	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_info_get(port_id, &info);
	if (ret != 0)
		return ret;
	if (rss) {
		uint64_t hf = (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) & info.flow_type_rss_offloads;

		if (hf == 0)
			return -ENOTSUP;
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = hf;
		if (rss == 2) {
			/* A key of a size the device does not say, or longer
			 * than ours, cannot be made symmetric. */
			if (info.hash_key_size == 0 || info.hash_key_size > sizeof(gw_sym_key))
				return -ENOTSUP;
			conf.rx_adv_conf.rss_conf.rss_key = gw_sym_key;
			conf.rx_adv_conf.rss_conf.rss_key_len = info.hash_key_size;
		}
	}
	return rte_eth_dev_configure(port_id, nrxq, ntxq, &conf);
}

/* gw_rss_get reads the port's RSS hash functions, its key (into key,
 * *key_len bytes at most; *key_len becomes its length, 0 when the device
 * does not say its key size) and redirection table (into reta, *reta_size
 * entries at most; *reta_size becomes its size, 0 when it has none). */
int gw_rss_get(uint16_t port_id, uint8_t *key, uint8_t *key_len, uint64_t *hf, uint16_t *reta, uint16_t *reta_size)
{
	struct rte_eth_dev_info info;
	struct rte_eth_rss_conf conf;
	struct rte_eth_rss_reta_entry64 groups[GW_MAX_RETA / RTE_ETH_RETA_GROUP_SIZE];
	int ret;

	ret = rte_eth_dev_info_get(port_id, &info);
	if (ret != 0)
		return ret;
	memset(&conf, 0, sizeof(conf));
	if (info.hash_key_size > 0 && info.hash_key_size <= *key_len) {
		conf.rss_key = key;
		conf.rss_key_len = info.hash_key_size;
	}
	ret = rte_eth_dev_rss_hash_conf_get(port_id, &conf);
	if (ret != 0)
		return ret;
	*key_len = conf.rss_key != NULL ? info.hash_key_size : 0;
	*hf = conf.rss_hf;
	if (info.reta_size == 0 || info.reta_size > *reta_size || info.reta_size > GW_MAX_RETA ||
	    info.reta_size % RTE_ETH_RETA_GROUP_SIZE != 0) {
		*reta_size = 0;
		return 0;
	}
	memset(groups, 0, sizeof(groups));
	for (unsigned int g = 0; g < info.reta_size / RTE_ETH_RETA_GROUP_SIZE; g++)
		groups[g].mask = ~0ULL;
	ret = rte_eth_dev_rss_reta_query(port_id, groups, info.reta_size);
	if (ret != 0)
		return ret;
	for (unsigned int i = 0; i < info.reta_size; i++)
		reta[i] = groups[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE];
	*reta_size = info.reta_size;
	return 0;
}

/* gw_rss_symmetric_key copies the symmetric key (len bytes at most). */
void gw_rss_symmetric_key(uint8_t *key, size_t len)
{
	memcpy(key, gw_sym_key, len < sizeof(gw_sym_key) ? len : sizeof(gw_sym_key));
}

int gw_link(uint16_t port_id, uint32_t *speed, int *up, int *full_duplex)
{
	struct rte_eth_link link;
	int ret;

	memset(&link, 0, sizeof(link));
	ret = rte_eth_link_get_nowait(port_id, &link);
	if (ret != 0)
		return ret;
	*speed = link.link_speed;
	*up = link.link_status;
	*full_duplex = link.link_duplex;
	return 0;
}

/* Reset requests from the PMD (ENA raises RTE_ETH_EVENT_INTR_RESET when its
 * watchdog or the device asks for a reset). The callback runs in EAL's
 * interrupt thread, so it only records the request; the main lcore's control
 * loop performs rte_eth_dev_reset and restarts the port. */
static volatile int gw_reset_pending[RTE_MAX_ETHPORTS];

static int gw_reset_cb(uint16_t port_id, enum rte_eth_event_type type, void *arg, void *ret_param)
{
	(void)type;
	(void)arg;
	(void)ret_param;
	if (port_id < RTE_MAX_ETHPORTS)
		__atomic_store_n(&gw_reset_pending[port_id], 1, __ATOMIC_RELEASE);
	return 0;
}

int gw_watch_reset(uint16_t port_id)
{
	return rte_eth_dev_callback_register(port_id, RTE_ETH_EVENT_INTR_RESET, gw_reset_cb, NULL);
}

/* gw_request_reset raises the same request as the PMD's event: the reset
 * path's only test on machines without ENA. */
void gw_request_reset(uint16_t port_id)
{
	gw_reset_cb(port_id, RTE_ETH_EVENT_INTR_RESET, NULL, NULL);
}

int gw_take_reset(uint16_t port_id)
{
	if (port_id >= RTE_MAX_ETHPORTS)
		return 0;
	return __atomic_exchange_n(&gw_reset_pending[port_id], 0, __ATOMIC_ACQ_REL);
}

/* CPU time of the calling thread: what a worker really used, whatever
 * other processes took from its core. */
uint64_t gw_thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* gw_c_forward is a baseline for benchmarks only: the same io forwarding as
 * dpdk-testpmd, entirely in C, so the cost of the Go side reads as a
 * difference measured in the same run. Returns packets forwarded. */
uint64_t gw_c_forward(uint16_t in_port, uint16_t out_port, uint64_t npkts, uint64_t max_polls)
{
	struct rte_mbuf *m[GW_BURST];
	uint64_t done = 0;

	for (uint64_t polls = 0; done < npkts && polls < max_polls; polls++) {
		uint16_t n = rte_eth_rx_burst(in_port, 0, m, GW_BURST);
		uint16_t sent;

		if (n == 0)
			continue;
		sent = rte_eth_tx_burst(out_port, 0, m, n);
		if (unlikely(sent < n))
			rte_pktmbuf_free_bulk(&m[sent], n - sent);
		done += n;
	}
	return done;
}

/* Forwarding lcores run the Go poll loop: EAL launches gw_lcore_entry on the
 * worker lcore, which calls into Go once and stays there until stopped. */
extern void gwLcoreMain(uintptr_t handle);

static int gw_lcore_entry(void *arg)
{
	gwLcoreMain((uintptr_t)arg);
	return 0;
}

int gw_launch(unsigned int lcore, uintptr_t handle)
{
	return rte_eal_remote_launch(gw_lcore_entry, (void *)handle, lcore);
}
