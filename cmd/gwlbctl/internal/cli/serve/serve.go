// Package serve implements `gwlbctl serve`: the load balancer node. It
// loads the node config (file < GWLBCTL_* env < flags) and hands it to
// fastpath/node, which runs the DPDK forwarder until SIGINT/SIGTERM.
package serve

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/fastpath/node"
)

// Options are serve's inputs.
type Options struct {
	// ConfigFile is the node config (YAML/JSON/TOML); optional when every
	// required setting comes from env or flags.
	ConfigFile string
	// Config is the loaded, validated node config.
	Config node.Config

	ErrOut io.Writer
	// State returns gwlbctl's global state setting (--state,
	// GWLBCTL_STATE, the global config file, the default path) and its
	// layer, or the error loading the global settings.
	State func() (GlobalState, error)
	// Benchmark start-up options (hidden flags): replay a pcap of endpoint
	// traffic into the flow table before forwarding, write the appliance
	// returns of those flows, time the first replay pass.
	WarmPcap, WarmReturns string
	PassPackets           uint64

	// StopOnSignal is told that SIGINT/SIGTERM is serve's normal stop, so
	// the process exits with serve's own status (0 after a clean stop).
	StopOnSignal func()
}

// NewCmdServe returns the serve command. runF replaces the run function in
// tests (nil: run the node).
func NewCmdServe(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{
		ErrOut: f.IOStreams.ErrOut,
		State: func() (GlobalState, error) {
			c, err := f.Config()
			if err != nil {
				return GlobalState{}, err
			}
			return GlobalState{Location: c.State, Source: c.StateSource}, nil
		},
		StopOnSignal: func() { f.StopOnSignal.Store(true) },
	}
	return newCmdServe(opts, runF)
}

func newCmdServe(opts *Options, runF func(context.Context, *Options) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run a gateway load balancer node: the DPDK forwarder between endpoints and appliances",
		Long: `Run a gateway load balancer node.

serve forwards the traffic of the gateway load balancer endpoints attached to
this node's ports through the load balancer's targets (appliances), Geneve
encapsulated with AWS's options, as a GWLB node does. It watches the state
file and applies target, endpoint and attribute changes within a second
without dropping established flows.

Settings come from, in increasing precedence: the node config file
(--node-config, or GWLBCTL_NODE_CONFIG), GWLBCTL_* environment variables (the key
in upper case with '.' and '-' as '_', e.g. GWLBCTL_APPLIANCE_ADDRESS) and
flags. configs/node.yaml documents every key. The state file is the one
every gwlbctl command uses: --state > GWLBCTL_STATE > the node config's
state > the global config file's state > the default path.

serve needs root (DPDK, hugepages, TAP). It stops on SIGINT or SIGTERM,
writing the final stats to --stats-file.`,
		Example: `  # the node of gateway load balancer my-gwlb in us-east-1a, ports in node.yaml
  gwlbctl serve --node-config configs/node.yaml

  # same, overriding the appliance address and writing stats for scripts
  GWLBCTL_APPLIANCE_ADDRESS=10.0.1.10/24 gwlbctl serve --node-config node.yaml --stats-file /run/gwlb.json

  # everything on the command line: one endpoint bumped between two veths
  gwlbctl serve --load-balancer my-gwlb --availability-zone us-east-1a --state state.json \
    --appliance-device net_af_packet0,iface=app0 --appliance-address 10.0.1.10/24 \
    --endpoint 'vpce-0123456789abcdef0=net_af_packet1,iface=epa;net_af_packet2,iface=epb'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.ConfigFile == "" {
				if f, ok := os.LookupEnv(envPrefix + "_NODE_CONFIG"); ok {
					opts.ConfigFile = f
				}
			}
			var state GlobalState
			if opts.State != nil {
				var err error
				if state, err = opts.State(); err != nil {
					return err
				}
			}
			cfg, err := loadConfig(cmd.Flags(), opts.ConfigFile, state)
			if err != nil {
				return err
			}
			opts.Config = cfg
			cmd.SilenceUsage = true
			if opts.StopOnSignal != nil {
				opts.StopOnSignal()
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if runF != nil {
				return runF(ctx, opts)
			}
			return run(ctx, opts)
		},
	}
	cmd.Flags().StringVar(&opts.ConfigFile, "node-config", "", "node config file (env GWLBCTL_NODE_CONFIG; see configs/node.yaml)")
	addConfigFlags(cmd.Flags())
	cmd.Flags().StringVar(&opts.WarmPcap, "warm-pcap", "", "replay this pcap of endpoint traffic (side A of the first endpoint) through the engine before forwarding: its flows start established")
	cmd.Flags().StringVar(&opts.WarmReturns, "warm-returns", "", "with --warm-pcap: write the appliance returns of the warmed flows (real cookies) to this pcap, for a decapsulation benchmark")
	cmd.Flags().Uint64Var(&opts.PassPackets, "pass-packets", 0, "log the time the worker takes to receive this many packets (a first replay pass)")
	for _, f := range []string{"warm-pcap", "warm-returns", "pass-packets"} {
		_ = cmd.Flags().MarkHidden(f)
	}
	return cmd
}

func run(ctx context.Context, opts *Options) error {
	if err := node.CheckPrivileges(); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(opts.ErrOut, nil))
	so := node.StartOptions{PassPackets: opts.PassPackets}
	if opts.WarmPcap != "" {
		so.Warm = node.WarmFromPcap(opts.WarmPcap, opts.WarmReturns)
	} else if opts.WarmReturns != "" {
		return errors.New("--warm-returns needs --warm-pcap (the returns are those of the warmed flows)")
	}
	return node.Run(ctx, opts.Config, log, so)
}
