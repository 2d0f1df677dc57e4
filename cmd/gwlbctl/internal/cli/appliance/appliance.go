// Package appliance implements `gwlbctl appliance`: a reference Geneve
// appliance (a gateway load balancer target) that returns GWLB's traffic as
// AWS's appliance-side handler does. The logic lives in fastpath/appliance.
package appliance

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control/atomicfile"
	"github.com/gwlbctl/gwlbctl/fastpath/appliance"
)

// Options are the appliance command's inputs.
type Options struct {
	Listen      string
	Drop        []string
	HealthTCP   string
	HTTP        string
	Workers     int
	FlowTimeout time.Duration
	MaxFlows    int
	// SocketReturn sends returns from the Geneve socket (ports swapped)
	// instead of through a raw socket with the ports kept.
	SocketReturn bool
	// Route makes the appliance behave as a router instead of a wire.
	Route bool
	// StatsFile, when set, receives the JSON stats every second and at exit
	// (written to a temporary file and renamed, never half-written).
	StatsFile string

	ErrOut io.Writer
	// Ready, when set, is called once the sockets are bound, with the
	// Geneve address (its real port when Listen asked for port 0).
	Ready func(geneve netip.AddrPort)
	// StopOnSignal is told that SIGINT/SIGTERM is the normal stop, so the
	// process exits 0 after a clean shutdown.
	StopOnSignal func()
}

// NewCmdAppliance returns the appliance command. runF replaces the run
// function in tests (nil: run the appliance).
func NewCmdAppliance(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{ErrOut: f.IOStreams.ErrOut, StopOnSignal: func() { f.StopOnSignal.Store(true) }}
	return newCmdAppliance(opts, runF)
}

func newCmdAppliance(opts *Options, runF func(context.Context, *Options) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "appliance",
		Short: "Run a reference Geneve appliance (a gateway load balancer target)",
		Long: `Run a reference Geneve appliance: a target for a gateway load balancer.

It receives the load balancer's Geneve datagrams on UDP port 6081 and sends
each one back as AWS's appliance-side tunnel handler does: the same Geneve
header and options and the same inner packet, outer addresses swapped and
UDP ports kept (from GWLB's source port to port 6081). That needs a raw
socket: run as root or with CAP_NET_RAW (--socket-return avoids it, but
GWLB and gwlbctl serve drop such returns). A datagram without all three AWS
options (endpoint id, attachment id, flow cookie) is dropped, as AWS's
handler does.

--route makes it behave as a router, as a firewall does, instead of as
AWS's handler (a wire): it does not return link-local traffic
(169.254.0.0/16, fe80::/10), multicast and broadcast, or IPv6 neighbour
discovery, and it decrements the TTL or hop limit of what it returns,
dropping packets whose TTL runs out; each is counted by reason.

--drop rules drop inner packets by protocol and port, to prove traffic
really crosses the appliance: PROTOCOL, PROTOCOL:PORT or PROTOCOL:LOW-HIGH
with PROTOCOL one of tcp, udp, icmp (ICMP and ICMPv6), icmpv4, icmpv6,
sctp, gre, esp or a number. A port rule matches source or destination port.

Health: --http serves GET / and /health (200 while healthy, 503 when not),
POST /health?healthy=false|true to fail or pass health checks on purpose
(failing closes the --health-tcp port: connections are refused; HTTP
answers 503, or the code given with &status=CODE, or nothing at all with
&blackhole=true, so a check times out), and GET /stats?flows=N: JSON counters per endpoint and per flow (both
directions of a flow in one entry; a = the side that sent first).
--health-tcp adds a plain TCP port for TCP health checks (the default
target group health check is TCP port 80, which --http's default also
answers).

It stops cleanly on SIGINT or SIGTERM.`,
		Example: `  # an appliance answering GWLB's default health check (TCP or HTTP on port 80)
  gwlbctl appliance

  # drop iperf3 traffic and all ICMP, stats on port 8080, written to a file too
  gwlbctl appliance --drop tcp:5201 --drop icmp --http 127.0.0.1:8080 --stats-file /run/appliance.json
  curl -s localhost:8080/stats | jq '.flows[] | {a, b, packets_a_to_b, packets_b_to_a}'

  # a target that routes, as firewalls do (no link-local, multicast or ND returned; TTL decremented)
  gwlbctl appliance --route

  # make the load balancer see this target as unhealthy
  curl -X POST 'localhost:8080/health?healthy=false'
  # ... with an HTTP check: Target.ResponseCodeMismatch, then Target.Timeout
  curl -X POST 'localhost:8080/health?healthy=false&status=404'
  curl -X POST 'localhost:8080/health?healthy=false&blackhole=true'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := appliance.ParseRules(opts.Drop); err != nil {
				return cmdutil.FlagErrorf("--drop: %v", err)
			}
			if opts.Workers < 1 {
				return cmdutil.FlagErrorf("--workers must be at least 1")
			}
			cmd.SilenceUsage = true
			if opts.StopOnSignal != nil {
				opts.StopOnSignal()
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if runF != nil {
				return runF(ctx, opts)
			}
			return Run(ctx, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Listen, "listen", appliance.DefaultListen, "UDP address for Geneve (IPv4:PORT)")
	fl.StringArrayVar(&opts.Drop, "drop", nil, "drop inner packets matching PROTOCOL[:PORT[-PORT]] (repeatable), e.g. tcp:5201, udp, icmp")
	fl.StringVar(&opts.HealthTCP, "health-tcp", "", "TCP address accepting health-check connections (empty: none)")
	fl.StringVar(&opts.HTTP, "http", "0.0.0.0:80", "HTTP address for /health and /stats (empty: none)")
	fl.IntVar(&opts.Workers, "workers", 1, "goroutines reading the Geneve socket")
	fl.DurationVar(&opts.FlowTimeout, "flow-timeout", appliance.DefaultFlowTimeout, "forget flows idle this long")
	fl.IntVar(&opts.MaxFlows, "max-flows", appliance.DefaultMaxFlows, "flows counted individually (more are counted in the totals only)")
	fl.BoolVar(&opts.SocketReturn, "socket-return", false, "return from the Geneve socket (port 6081 to GWLB's source port; no raw socket needed, but GWLB drops these)")
	fl.BoolVar(&opts.Route, "route", false, "behave as a router: return no link-local, multicast or neighbour discovery packets; decrement TTL / hop limit (drop at expiry)")
	fl.StringVar(&opts.StatsFile, "stats-file", "", "write the JSON stats to this file every second and at exit")
	return cmd
}

// Run runs the appliance until ctx is done.
func Run(ctx context.Context, opts *Options) error {
	rules, err := appliance.ParseRules(opts.Drop)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(opts.ErrOut, nil))
	a, err := appliance.New(appliance.Config{
		Listen: opts.Listen, Drop: rules, HealthTCP: opts.HealthTCP, HTTP: opts.HTTP,
		Workers: opts.Workers, FlowTimeout: opts.FlowTimeout, MaxFlows: opts.MaxFlows, SocketReturn: opts.SocketReturn,
		Route: opts.Route, Log: log,
	})
	if err != nil {
		return err
	}
	if opts.Ready != nil {
		opts.Ready(a.GeneveAddr())
	}
	if opts.StatsFile == "" {
		return a.Run(ctx)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if werr := writeStats(opts.StatsFile, a.Stats(-1)); werr != nil && err == nil {
				err = werr
			}
			return err
		case <-tick.C:
			if err := writeStats(opts.StatsFile, a.Stats(-1)); err != nil {
				log.Warn("stats file", "err", err)
			}
		}
	}
}

// writeStats replaces path with s atomically; counters, readable by
// monitoring.
func writeStats(path string, s appliance.Stats) error {
	if err := atomicfile.WriteJSON(path, s, 0o644); err != nil {
		return fmt.Errorf("stats file %s: %w", path, err)
	}
	return nil
}
