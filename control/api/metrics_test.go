package api

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

func scrape(t *testing.T, c *Client) ([]byte, map[string]*dto.MetricFamily) {
	t.Helper()
	b, err := c.Metrics(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the exposition does not parse: %v\n%s", err, b)
	}
	return b, fams
}

// sample finds the value of name with the given labels (a subset).
func sample(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
	t.Helper()
	f, ok := fams[name]
	if !ok {
		return 0, false
	}
next:
	for _, m := range f.Metric {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range labels {
			if have[k] != v {
				continue next
			}
		}
		switch f.GetType() {
		case dto.MetricType_COUNTER:
			return m.Counter.GetValue(), true
		case dto.MetricType_GAUGE:
			return m.Gauge.GetValue(), true
		}
	}
	return 0, false
}

func TestMetricsScrape(t *testing.T) {
	m := newMemBackend(42, 1)
	c, _ := newTestClient(t, m, Options{})
	_, fams := scrape(t, c)
	lb := map[string]string{"load_balancer": "gwy/my-gwlb/0123456789abcdef", "availability_zone": "us-east-1a"}
	with := func(kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range lb {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	tg := "targetgroup/my-tg/fedcba9876543210"
	for _, tc := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"gwlb_active_flows", lb, 42},
		{"gwlb_new_flows_total", lb, 12},
		{"gwlb_processed_bytes_total", lb, 15000 + 14000},
		{"gwlb_processed_packets_total", lb, 190},
		{"gwlb_healthy_hosts", with("target_group", tg), 2},
		{"gwlb_unhealthy_hosts", with("target_group", tg), 1},
		{"gwlb_dropped_packets_total", with("reason", "no_target"), 2},
		{"gwlb_dropped_packets_total", with("reason", "unknown_cookie"), 0},
		{"gwlb_node_info", with("node", "node-a", "version", "test"), 1},
		{"gwlb_config_revision", lb, 7},
		{"gwlb_start_time_seconds", lb, float64(m.info.StartedAt.Unix())},
		{"gwlb_target_state", with("target_group", tg, "target", "10.0.1.11", "state", "unhealthy"), 1},
		{"gwlb_target_state", with("target", "10.0.1.11", "state", "healthy"), 0},
		{"gwlb_target_sent_bytes_total", with("target", "i-0123456789abcdef0"), 7000},
		{"gwlb_target_active_flows", with("target", "i-0123456789abcdef0"), 5},
		{"gwlb_endpoint_state", with("endpoint", testE2, "state", "pendingAcceptance"), 1},
		{"gwlb_endpoint_received_bytes_total", with("endpoint", testEP), 15000},
		{"gwlb_endpoint_dropped_packets_total", with("endpoint", testEP), 3},
		{"gwlb_port_info", with("port", "appliance", "device", "net_af_packet0", "role", "appliance"), 1},
		{"gwlb_port_info", with("port", "exception", "role", "exception"), 1},
		{"gwlb_port_transmitted_packets_total", with("port", "appliance"), 20},
		{"gwlb_port_missed_packets_total", with("port", "appliance"), 1},
		{"gwlb_port_xstat_total", with("port", "appliance", "name", "rx_good_packets"), 10},
		{"gwlb_port_xstat_total", with("port", "appliance", "name", "bw_in_allowance_exceeded"), 4},
		{"gwlb_port_bw_in_allowance_exceeded_total", with("port", "appliance"), 4},
		{"gwlb_port_pps_allowance_exceeded_total", with("port", "appliance"), 2},
		{"gwlb_worker_cpu_seconds_total", with("worker", "0"), 2.5},
		{"gwlb_worker_transmit_refused_packets_total", with("worker", "0", "port", "appliance"), 1},
		{"gwlb_worker_config_revision", with("worker", "1"), 7},
	} {
		got, ok := sample(t, fams, tc.name, tc.labels)
		if !ok || got != tc.want {
			t.Errorf("%s%v = %v (found %v), want %v", tc.name, tc.labels, got, ok, tc.want)
		}
	}
	// A port whose counters could not be read has no counters (not zeros),
	// and allowance counters appear only where the driver reports them.
	if _, ok := sample(t, fams, "gwlb_port_received_packets_total", with("port", "exception")); ok {
		t.Error("unread port counters exported")
	}
	if _, ok := fams["gwlb_port_conntrack_allowance_exceeded_total"]; ok {
		t.Error("an allowance xstat the port does not report is exported")
	}

	// Counters follow the backend's cumulative values.
	m.mu.Lock()
	m.totals.NewFlows += 5
	m.mu.Unlock()
	_, fams = scrape(t, c)
	if got, _ := sample(t, fams, "gwlb_new_flows_total", lb); got != 17 {
		t.Errorf("after 5 new flows: %v", got)
	}
}

// errBackend fails its reads.
type errBackend struct{ *memBackend }

func (errBackend) Stats(context.Context) (Stats, error) {
	return Stats{}, errors.New("port stats: EAL gone")
}

func TestMetricsBackendFailure(t *testing.T) {
	c, _ := newTestClient(t, errBackend{newMemBackend(1, 1)}, Options{})
	_, err := c.Metrics(context.Background())
	var ae *Error
	if !errors.As(err, &ae) || ae.Status != 500 || !strings.Contains(ae.Message, "EAL gone") {
		t.Errorf("failing backend: %v", err)
	}
}

var (
	metricNameRe = regexp.MustCompile(`^gwlb_[a-z][a-z0-9_]*[a-z0-9]$`)
	// Prometheus base units are seconds and bytes; no scaled units.
	scaledUnitRe = regexp.MustCompile(`_(ms|us|ns|milliseconds|microseconds|nanoseconds|minutes|hours|kb|mb|gb|kilobytes|megabytes|bits|percent)(_|$)`)
)

func TestMetricNamesFollowConventions(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range Metrics {
		if seen[m.Name] {
			t.Errorf("%s twice in the table", m.Name)
		}
		seen[m.Name] = true
		if !metricNameRe.MatchString(m.Name) || scaledUnitRe.MatchString(m.Name) {
			t.Errorf("%s: not a snake_case gwlb_ name in base units", m.Name)
		}
		if (m.Type == Counter) != strings.HasSuffix(m.Name, "_total") {
			t.Errorf("%s: a %s; counters and only counters end in _total", m.Name, m.Type)
		}
		if m.Help == "" || !strings.HasSuffix(m.Help, ".") && !strings.HasSuffix(m.Help, ")") {
			t.Errorf("%s: help %q", m.Name, m.Help)
		}
	}
	// Every gwlb_ family exposed is in the table, with its type.
	c, _ := newTestClient(t, newMemBackend(3, 1), Options{})
	text, fams := scrape(t, c)
	types := map[string]MetricType{}
	for _, m := range Metrics {
		types[m.Name] = m.Type
	}
	for name, f := range fams {
		if !strings.HasPrefix(name, "gwlb_") {
			continue
		}
		want, ok := types[name]
		if !ok {
			t.Errorf("%s exposed but not in the Metrics table", name)
		}
		if got := strings.ToLower(f.GetType().String()); got != string(want) {
			t.Errorf("%s exposed as %s, the table says %s", name, got, want)
		}
	}
	problems, err := promlint.New(bytes.NewReader(text)).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}

	t.Run("promtool", func(t *testing.T) {
		promtool, err := exec.LookPath("promtool")
		if err != nil {
			t.Skip("promtool not found (Debian package prometheus; make deps installs it): promlint above ran the same checks")
		}
		cmd := exec.Command(promtool, "check", "metrics")
		cmd.Stdin = bytes.NewReader(text)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool check metrics: %v\n%s", err, out)
		}
	})
}

func TestMetricsMarkdown(t *testing.T) {
	md := MetricsMarkdown()
	for _, m := range Metrics {
		if !strings.Contains(md, "| `"+m.Name+"` | "+string(m.Type)+" |") {
			t.Errorf("%s missing from the markdown", m.Name)
		}
	}
	for _, cw := range []string{"ActiveFlowCount", "NewFlowCount", "ProcessedBytes", "HealthyHostCount", "UnHealthyHostCount",
		"ConsumedLCUs", "PeakBytesPerSecond", "PeakPacketsPerSecond"} {
		if !strings.Contains(md, "| `"+cw+"` |") {
			t.Errorf("CloudWatch %s missing", cw)
		}
	}
	// Every PromQL expression names only metrics of the table.
	names := regexp.MustCompile(`gwlb_[a-z_]+`)
	for _, cw := range CloudWatchMetrics {
		for _, n := range names.FindAllString(cw.PromQL, -1) {
			found := false
			for _, m := range Metrics {
				found = found || m.Name == n
			}
			if !found {
				t.Errorf("%s: %s is not a metric", cw.CloudWatch, n)
			}
		}
	}
	if CloudWatchDimension(testLB) != "gwy/my-gwlb/0123456789abcdef" || CloudWatchDimension(testTG) != "targetgroup/my-tg/fedcba9876543210" ||
		CloudWatchDimension("x") != "x" {
		t.Error("CloudWatchDimension")
	}
}

// TestPassGapHistogram: a worker's pass gaps are the histogram
// gwlb_worker_pass_gap_seconds: cumulative buckets at each bucket's bound,
// the last one +Inf, the count every gap and the sum their time.
func TestPassGapHistogram(t *testing.T) {
	m := newMemBackend(10, 5)
	m.workers[0].PassGaps = []PassGap{{Below: 1024, Count: 900}, {Below: 2048, Count: 90}, {Count: 10}}
	m.workers[0].PassGapNs = 3_000_000
	c, _ := newTestClient(t, m, Options{})
	_, fams := scrape(t, c)
	f, ok := fams["gwlb_worker_pass_gap_seconds"]
	if !ok || f.GetType() != dto.MetricType_HISTOGRAM || len(f.Metric) != 1 {
		t.Fatalf("gwlb_worker_pass_gap_seconds: %v", f)
	}
	h := f.Metric[0].GetHistogram()
	if h.GetSampleCount() != 1000 || h.GetSampleSum() != 0.003 {
		t.Errorf("count %d, sum %v; want 1000 and 0.003", h.GetSampleCount(), h.GetSampleSum())
	}
	want := map[float64]uint64{1.024e-6: 900, 2.048e-6: 990, math.Inf(1): 1000}
	if len(h.Bucket) != len(want) {
		t.Fatalf("%d buckets, want %d", len(h.Bucket), len(want))
	}
	for _, b := range h.Bucket {
		if want[b.GetUpperBound()] != b.GetCumulativeCount() {
			t.Errorf("bucket le=%v: %d, want %d", b.GetUpperBound(), b.GetCumulativeCount(), want[b.GetUpperBound()])
		}
	}
}
