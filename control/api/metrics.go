package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gwlbctl/gwlbctl/control"
)

// MetricType is a Prometheus metric type.
type MetricType string

// Metric types.
const (
	Counter   MetricType = "counter"
	Gauge     MetricType = "gauge"
	Histogram MetricType = "histogram"
)

// Metric is one metric of /metrics. Every gwlb_ metric also has the labels
// load_balancer and availability_zone: the CloudWatch dimension values
// LoadBalancer (gwy/NAME/ID) and AvailabilityZone of the node.
type Metric struct {
	Name string
	Type MetricType
	Help string
	// Labels are the metric's labels besides load_balancer and
	// availability_zone.
	Labels []string
	// CloudWatch is the AWS/GatewayELB metric it reproduces, or "".
	CloudWatch string
}

// CommonLabels are on every gwlb_ metric.
var CommonLabels = []string{"load_balancer", "availability_zone"}

// Metric names.
const (
	mActiveFlows       = "gwlb_active_flows"
	mNewFlows          = "gwlb_new_flows_total"
	mProcessedBytes    = "gwlb_processed_bytes_total"
	mProcessedPackets  = "gwlb_processed_packets_total"
	mHealthyHosts      = "gwlb_healthy_hosts"
	mUnhealthyHosts    = "gwlb_unhealthy_hosts"
	mDropped           = "gwlb_dropped_packets_total"
	mExpiredFlows      = "gwlb_expired_flows_total"
	mBridged           = "gwlb_bridged_packets_total"
	mException         = "gwlb_exception_packets_total"
	mTCPResets         = "gwlb_tcp_resets_total"
	mPickedUpFlows     = "gwlb_picked_up_flows_total"
	mHandedOff         = "gwlb_handed_off_packets_total"
	mNodeInfo          = "gwlb_node_info"
	mStartTime         = "gwlb_start_time_seconds"
	mRevision          = "gwlb_config_revision"
	mTargetState       = "gwlb_target_state"
	mTargetActiveFlows = "gwlb_target_active_flows"
	mTargetNewFlows    = "gwlb_target_new_flows_total"
	mTargetSentPkts    = "gwlb_target_sent_packets_total"
	mTargetSentBytes   = "gwlb_target_sent_bytes_total"
	mTargetRecvPkts    = "gwlb_target_received_packets_total"
	mTargetRecvBytes   = "gwlb_target_received_bytes_total"
	mTargetNoNeighbor  = "gwlb_target_no_neighbor_dropped_packets_total"
	mEndpointState     = "gwlb_endpoint_state"
	mEndpointInPkts    = "gwlb_endpoint_received_packets_total"
	mEndpointInBytes   = "gwlb_endpoint_received_bytes_total"
	mEndpointOutPkts   = "gwlb_endpoint_sent_packets_total"
	mEndpointOutBytes  = "gwlb_endpoint_sent_bytes_total"
	mEndpointDropped   = "gwlb_endpoint_dropped_packets_total"
	mEndpointNewFlows  = "gwlb_endpoint_new_flows_total"
	mEndpointNoNeigh   = "gwlb_endpoint_no_neighbor_dropped_packets_total"
	mPortInfo          = "gwlb_port_info"
	mPortRxPkts        = "gwlb_port_received_packets_total"
	mPortTxPkts        = "gwlb_port_transmitted_packets_total"
	mPortRxBytes       = "gwlb_port_received_bytes_total"
	mPortTxBytes       = "gwlb_port_transmitted_bytes_total"
	mPortMissed        = "gwlb_port_missed_packets_total"
	mPortRxErrors      = "gwlb_port_receive_errors_total"
	mPortTxErrors      = "gwlb_port_transmit_errors_total"
	mPortNoMbuf        = "gwlb_port_mbuf_allocation_failures_total"
	mPortXstat         = "gwlb_port_xstat_total"
	mWorkerRevision    = "gwlb_worker_config_revision"
	mWorkerPasses      = "gwlb_worker_passes_total"
	mWorkerPassGap     = "gwlb_worker_pass_gap_seconds"
	mWorkerRx          = "gwlb_worker_received_packets_total"
	mWorkerDropped     = "gwlb_worker_dropped_packets_total"
	mWorkerCPU         = "gwlb_worker_cpu_seconds_total"
	mWorkerTx          = "gwlb_worker_transmitted_packets_total"
	mWorkerTxRefused   = "gwlb_worker_transmit_refused_packets_total"
)

// AllowanceXstats are the ENA extended statistics that count packets
// queued or dropped because the instance exceeded an allowance; each is
// also exported under its own name, gwlb_port_<xstat>_total.
var AllowanceXstats = []string{
	"bw_in_allowance_exceeded", "bw_out_allowance_exceeded", "pps_allowance_exceeded",
	"conntrack_allowance_exceeded", "linklocal_allowance_exceeded",
}

func allowanceMetric(xstat string) string { return "gwlb_port_" + xstat + "_total" }

// Metrics are every gwlb_ metric of /metrics, in exposition order. The
// collector builds its descriptors from this table and the README's
// metrics section is generated from it (MetricsMarkdown).
var Metrics = func() []Metric {
	t := []string{"target_group", "target"}
	ms := []Metric{
		{mActiveFlows, Gauge, "Flows in the node's flow tables.", nil, "ActiveFlowCount"},
		{mNewFlows, Counter, "Flows created.", nil, "NewFlowCount"},
		{mProcessedBytes, Counter, "Inner IP bytes forwarded in both directions (endpoint to appliance and back); health checks excluded.", nil, "ProcessedBytes"},
		{mProcessedPackets, Counter, "Packets forwarded in both directions (endpoint to appliance and back).", nil, ""},
		{mHealthyHosts, Gauge, "Targets of the target group in state healthy.", []string{"target_group"}, "HealthyHostCount"},
		{mUnhealthyHosts, Gauge, "Targets of the target group in state unhealthy.", []string{"target_group"}, "UnHealthyHostCount"},
		{mDropped, Counter, "Packets dropped, by reason.", []string{"reason"}, ""},
		{mExpiredFlows, Counter, "Flows ended by their idle timeout.", nil, ""},
		{mBridged, Counter, "Non-IP frames bridged between the two sides of a bump endpoint.", nil, ""},
		{mException, Counter, "Packets handed to the kernel (ARP, ICMP and health checks for the node's address).", nil, ""},
		{mTCPResets, Counter, "TCP resets sent for packets of expired flows (send_tcp_reset.on_idle_timeout.enabled).", nil, ""},
		{mPickedUpFlows, Counter, "TCP flows started by a packet other than a SYN: connections another node carried, picked up mid-flow (several nodes on one etcd state).", nil, ""},
		{mHandedOff, Counter, "Packets handed to the worker that owns their flow after arriving on another worker's queue.", nil, ""},
		{mNodeInfo, Gauge, "Always 1: the node's name and gwlbctl version.", []string{"node", "version"}, ""},
		{mStartTime, Gauge, "When the node started, in seconds since the Unix epoch.", nil, ""},
		{mRevision, Gauge, "State revision of the published configuration snapshot.", nil, ""},
		{mTargetState, Gauge, "1 for the target's health state, 0 for the others.", append(t[:2:2], "state"), ""},
		{mTargetActiveFlows, Gauge, "Live flows on the target.", t, ""},
		{mTargetNewFlows, Counter, "Flows given to the target.", t, ""},
		{mTargetSentPkts, Counter, "Packets encapsulated to the target.", t, ""},
		{mTargetSentBytes, Counter, "Inner IP bytes encapsulated to the target.", t, ""},
		{mTargetRecvPkts, Counter, "Packets returned by the target and accepted.", t, ""},
		{mTargetRecvBytes, Counter, "Inner IP bytes returned by the target and accepted.", t, ""},
		{mTargetNoNeighbor, Counter, "Packets for the target dropped because its next-hop MAC address was not resolved.", t, ""},
		{mEndpointState, Gauge, "1 for the endpoint's connection state, 0 for the others.", []string{"endpoint", "state"}, ""},
		{mEndpointInPkts, Counter, "Packets received from the endpoint's consumers.", []string{"endpoint"}, ""},
		{mEndpointInBytes, Counter, "Inner IP bytes received from the endpoint's consumers.", []string{"endpoint"}, ""},
		{mEndpointOutPkts, Counter, "Packets sent back to the endpoint's consumers after the appliance.", []string{"endpoint"}, ""},
		{mEndpointOutBytes, Counter, "Inner IP bytes sent back to the endpoint's consumers after the appliance.", []string{"endpoint"}, ""},
		{mEndpointDropped, Counter, "Packets of the endpoint dropped.", []string{"endpoint"}, ""},
		{mEndpointNewFlows, Counter, "Flows the endpoint started.", []string{"endpoint"}, ""},
		{mEndpointNoNeigh, Counter, "Packets of a routed endpoint dropped after the appliance because their next hop's MAC address was not resolved.", []string{"endpoint"}, ""},
		{mPortInfo, Gauge, "Always 1: the port's DPDK device and role.", []string{"port", "device", "role"}, ""},
		{mPortRxPkts, Counter, "Packets the port received (rte_eth_stats ipackets).", []string{"port"}, ""},
		{mPortTxPkts, Counter, "Packets the port transmitted (opackets).", []string{"port"}, ""},
		{mPortRxBytes, Counter, "Bytes the port received, as on the wire (ibytes).", []string{"port"}, ""},
		{mPortTxBytes, Counter, "Bytes the port transmitted, as on the wire (obytes).", []string{"port"}, ""},
		{mPortMissed, Counter, "Packets the NIC dropped because the receive ring was full (imissed).", []string{"port"}, ""},
		{mPortRxErrors, Counter, "Erroneous received packets (ierrors).", []string{"port"}, ""},
		{mPortTxErrors, Counter, "Failed transmissions (oerrors).", []string{"port"}, ""},
		{mPortNoMbuf, Counter, "Receive mbuf allocation failures (rx_nombuf).", []string{"port"}, ""},
		{mPortXstat, Counter, "Every extended statistic the port's driver reports, by its name.", []string{"port", "name"}, ""},
	}
	for _, x := range AllowanceXstats {
		ms = append(ms, Metric{allowanceMetric(x), Counter, "ENA xstat " + x + ": packets queued or dropped because the instance exceeded the allowance (only on ports that report it).", []string{"port"}, ""})
	}
	ms = append(ms,
		Metric{mWorkerRevision, Gauge, "State revision of the snapshot the worker ran its last burst with.", []string{"worker"}, ""},
		Metric{mWorkerPasses, Counter, "Poll passes over the worker's receive queues.", []string{"worker"}, ""},
		Metric{mWorkerPassGap, Histogram, "Time between the ends of two poll passes of the worker (log2 buckets from 1.024 us): a packet that arrives during a long pass waits for its end.", []string{"worker"}, ""},
		Metric{mWorkerRx, Counter, "Packets the worker handed to the engine.", []string{"worker"}, ""},
		Metric{mWorkerDropped, Counter, "Packets the worker freed (drop verdicts, chained mbufs, bad frames).", []string{"worker"}, ""},
		Metric{mWorkerCPU, Counter, "CPU time of the worker's thread in completed runs.", []string{"worker"}, ""},
		Metric{mWorkerTx, Counter, "Packets the worker transmitted, by output port.", []string{"worker", "port"}, ""},
		Metric{mWorkerTxRefused, Counter, "Packets the output port refused (freed), by output port.", []string{"worker", "port"}, ""},
	)
	return ms
}()

// CloudWatchMetric maps one AWS/GatewayELB CloudWatch metric to its
// Prometheus form.
type CloudWatchMetric struct {
	CloudWatch string
	// PromQL is the expression that gives it from /metrics ("" when there
	// is none).
	PromQL string
	Note   string
}

// CloudWatchMetrics are every metric of the AWS/GatewayELB namespace.
// CloudWatch reports per minute and sums over the load balancer's nodes;
// the expressions do the same over the nodes Prometheus scrapes.
var CloudWatchMetrics = []CloudWatchMetric{
	{"ActiveFlowCount", "sum by (load_balancer) (" + mActiveFlows + ")", "concurrent flows"},
	{"NewFlowCount", "sum by (load_balancer) (increase(" + mNewFlows + "[1m]))", "per minute"},
	{"ProcessedBytes", "sum by (load_balancer) (increase(" + mProcessedBytes + "[1m]))", "per minute; health checks excluded"},
	{"HealthyHostCount", "max by (load_balancer, target_group) (" + mHealthyHosts + ")", "each node reports the targets it sees"},
	{"UnHealthyHostCount", "max by (load_balancer, target_group) (" + mUnhealthyHosts + ")", "each node reports the targets it sees"},
	{"PeakBytesPerSecond", "max_over_time(sum by (load_balancer) (rate(" + mProcessedBytes + "[10s]))[1m:10s])", "highest 10-second average in the minute"},
	{"PeakPacketsPerSecond", "max_over_time(sum by (load_balancer) (rate(" + mProcessedPackets + "[10s]))[1m:10s])", "highest 10-second average in the minute"},
	{"ConsumedLCUs", "", "billing; not reproduced"},
}

// MetricsMarkdown renders the metric tables for the README: every metric
// with its type, labels and CloudWatch counterpart, then the CloudWatch
// metrics with the PromQL that gives each.
func MetricsMarkdown() string {
	var b strings.Builder
	b.WriteString("Every `gwlb_` metric has the labels `load_balancer` and `availability_zone`.\n\n")
	b.WriteString("| metric | type | labels | CloudWatch | meaning |\n|---|---|---|---|---|\n")
	for _, m := range Metrics {
		labels := "`" + strings.Join(m.Labels, "`, `") + "`"
		if len(m.Labels) == 0 {
			labels = ""
		}
		cw := m.CloudWatch
		if cw != "" {
			cw = "`" + cw + "`"
		}
		b.WriteString("| `" + m.Name + "` | " + string(m.Type) + " | " + labels + " | " + cw + " | " + m.Help + " |\n")
	}
	b.WriteString("\n| CloudWatch (AWS/GatewayELB) | PromQL | note |\n|---|---|---|\n")
	for _, c := range CloudWatchMetrics {
		q := ""
		if c.PromQL != "" {
			q = "`" + c.PromQL + "`"
		}
		b.WriteString("| `" + c.CloudWatch + "` | " + q + " | " + c.Note + " |\n")
	}
	return b.String()
}

// targetStates and endpointStates are the state sets of gwlb_target_state
// and gwlb_endpoint_state.
var (
	targetStates = []string{
		control.TargetHealthInitial, control.TargetHealthHealthy, control.TargetHealthUnhealthy,
		control.TargetHealthUnused, control.TargetHealthDraining, control.TargetHealthUnavailable,
	}
	endpointStates = []string{
		control.EndpointStatePendingAcceptance, control.EndpointStatePending, control.EndpointStateAvailable,
		control.EndpointStateDeleting, control.EndpointStateDeleted, control.EndpointStateRejected,
		control.EndpointStateFailed,
	}
)

// CloudWatchDimension is the CloudWatch dimension value of a load balancer
// or target group ARN: "gwy/NAME/ID", "targetgroup/NAME/ID" (the ARN
// itself when it has no resource part).
func CloudWatchDimension(arn string) string {
	for _, kind := range []string{":loadbalancer/", ":targetgroup/"} {
		if i := strings.Index(arn, kind); i >= 0 {
			if kind == ":targetgroup/" {
				return arn[i+1:]
			}
			return arn[i+len(kind):]
		}
	}
	return arn
}

// collector reads a Backend snapshot at scrape time: no work happens
// between scrapes.
type collector struct {
	b       Backend
	timeout time.Duration
	descs   map[string]*prometheus.Desc
	types   map[string]prometheus.ValueType
}

func newCollector(b Backend, timeout time.Duration) *collector {
	c := &collector{b: b, timeout: timeout, descs: map[string]*prometheus.Desc{}, types: map[string]prometheus.ValueType{}}
	for _, m := range Metrics {
		c.descs[m.Name] = prometheus.NewDesc(m.Name, m.Help, append(CommonLabels[:len(CommonLabels):len(CommonLabels)], m.Labels...), nil)
		c.types[m.Name] = prometheus.GaugeValue
		if m.Type == Counter {
			c.types[m.Name] = prometheus.CounterValue
		}
	}
	return c
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, m := range Metrics {
		ch <- c.descs[m.Name]
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	info, err := c.b.Info(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.descs[mNodeInfo], err)
		return
	}
	s, err := c.b.Stats(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.descs[mNodeInfo], err)
		return
	}
	lb, az := CloudWatchDimension(info.LoadBalancer), info.AvailabilityZone
	tg := CloudWatchDimension(info.TargetGroup)
	emit := func(name string, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(c.descs[name], c.types[name], v, append([]string{lb, az}, labels...)...)
	}
	u := func(v uint64) float64 { return float64(v) }
	b01 := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}

	t := &s.Totals
	emit(mNodeInfo, 1, info.NodeID, info.Version)
	emit(mStartTime, float64(info.StartedAt.UnixNano())/1e9)
	emit(mRevision, u(info.Revision))
	emit(mActiveFlows, u(t.ActiveFlows))
	emit(mNewFlows, u(t.NewFlows))
	emit(mProcessedBytes, u(t.EncapBytes+t.DecapBytes))
	emit(mProcessedPackets, u(t.EncapPackets+t.DecapPackets))
	for reason, n := range t.Drops {
		emit(mDropped, u(n), reason)
	}
	emit(mExpiredFlows, u(t.ExpiredFlows))
	emit(mBridged, u(t.BridgedPackets))
	emit(mException, u(t.ExceptionPackets))
	emit(mTCPResets, u(t.TCPResets))
	emit(mPickedUpFlows, u(t.PickedUpFlows))
	emit(mHandedOff, u(t.HandedOffPackets))

	var healthy, unhealthy int
	for i := range s.Targets {
		x := &s.Targets[i]
		switch x.State {
		case control.TargetHealthHealthy:
			healthy++
		case control.TargetHealthUnhealthy:
			unhealthy++
		}
		for _, st := range targetStates {
			emit(mTargetState, b01(x.State == st), tg, x.ID, st)
		}
		emit(mTargetActiveFlows, u(x.ActiveFlows), tg, x.ID)
		emit(mTargetNewFlows, u(x.NewFlows), tg, x.ID)
		emit(mTargetSentPkts, u(x.TxPackets), tg, x.ID)
		emit(mTargetSentBytes, u(x.TxBytes), tg, x.ID)
		emit(mTargetRecvPkts, u(x.RxPackets), tg, x.ID)
		emit(mTargetRecvBytes, u(x.RxBytes), tg, x.ID)
		emit(mTargetNoNeighbor, u(x.NoNeighbor), tg, x.ID)
	}
	emit(mHealthyHosts, float64(healthy), tg)
	emit(mUnhealthyHosts, float64(unhealthy), tg)

	for i := range s.Endpoints {
		e := &s.Endpoints[i]
		for _, st := range endpointStates {
			emit(mEndpointState, b01(e.State == st), e.ID, st)
		}
		emit(mEndpointInPkts, u(e.InPackets), e.ID)
		emit(mEndpointInBytes, u(e.InBytes), e.ID)
		emit(mEndpointOutPkts, u(e.OutPackets), e.ID)
		emit(mEndpointOutBytes, u(e.OutBytes), e.ID)
		emit(mEndpointDropped, u(e.DroppedPackets), e.ID)
		emit(mEndpointNewFlows, u(e.NewFlows), e.ID)
		emit(mEndpointNoNeigh, u(e.NoNeighbor), e.ID)
	}

	for i := range s.Ports {
		p := &s.Ports[i]
		emit(mPortInfo, 1, p.Name, p.Device, p.Role)
		if p.Error != "" {
			continue // unread counters are not zeros: leave them out
		}
		emit(mPortRxPkts, u(p.RxPackets), p.Name)
		emit(mPortTxPkts, u(p.TxPackets), p.Name)
		emit(mPortRxBytes, u(p.RxBytes), p.Name)
		emit(mPortTxBytes, u(p.TxBytes), p.Name)
		emit(mPortMissed, u(p.RxMissed), p.Name)
		emit(mPortRxErrors, u(p.RxErrors), p.Name)
		emit(mPortTxErrors, u(p.TxErrors), p.Name)
		emit(mPortNoMbuf, u(p.RxNoMbuf), p.Name)
		for name, v := range p.XStats {
			emit(mPortXstat, u(v), p.Name, name)
		}
		for _, x := range AllowanceXstats {
			if v, ok := p.XStats[x]; ok {
				emit(allowanceMetric(x), u(v), p.Name)
			}
		}
	}

	for _, w := range info.Workers {
		emit(mWorkerRevision, u(w.Revision), strconv.Itoa(w.ID))
	}
	for i := range s.Workers {
		w := &s.Workers[i]
		id := strconv.Itoa(w.ID)
		emit(mWorkerPasses, u(w.Passes), id)
		if len(w.PassGaps) > 0 {
			buckets := make(map[float64]uint64, len(w.PassGaps))
			var n uint64
			for _, g := range w.PassGaps {
				n += g.Count
				if g.Below > 0 {
					buckets[g.Below.Seconds()] = n
				}
			}
			ch <- prometheus.MustNewConstHistogram(c.descs[mWorkerPassGap], n, float64(w.PassGapNs)/1e9, buckets, lb, az, id)
		}
		emit(mWorkerRx, u(w.Rx), id)
		emit(mWorkerDropped, u(w.Dropped), id)
		emit(mWorkerCPU, float64(w.CPUTimeNs)/1e9, id)
		for _, tx := range w.Tx {
			emit(mWorkerTx, u(tx.Sent), id, tx.Port)
			emit(mWorkerTxRefused, u(tx.Unsent), id, tx.Port)
		}
		emit(mWorkerTx, u(w.ExceptionTx.Sent), id, "exception")
		emit(mWorkerTxRefused, u(w.ExceptionTx.Unsent), id, "exception")
	}
}

// NewRegistry returns a registry with b's collector and the Go runtime's
// and the process's standard collectors (go_*, process_*).
func NewRegistry(b Backend, o Options) *prometheus.Registry {
	o = o.withDefaults()
	reg := prometheus.NewRegistry()
	reg.MustRegister(newCollector(b, o.RequestTimeout))
	reg.MustRegister(collectors.NewGoCollector())
	reg.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// MetricsHandler serves b's metrics in the Prometheus exposition format;
// NewHandler mounts it at /metrics, StartMetrics on a TCP address.
func MetricsHandler(b Backend, o Options) http.Handler {
	o = o.withDefaults()
	return promhttp.HandlerFor(NewRegistry(b, o), promhttp.HandlerOpts{
		ErrorHandling:       promhttp.HTTPErrorOnError,
		Timeout:             o.RequestTimeout,
		MaxRequestsInFlight: o.MaxRequests,
	})
}
