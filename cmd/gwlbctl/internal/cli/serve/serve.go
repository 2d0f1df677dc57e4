// Package serve implements `gwlbctl serve`: the load balancer node. It
// loads the node config (file < GWLBCTL_* env < flags) and hands it to
// fastpath/node, which runs the DPDK forwarder until SIGINT/SIGTERM; with
// --check it prints the node the config and the state make, without
// starting anything.
package serve

import (
	"context"
	"fmt"
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

	Out, ErrOut io.Writer
	// State returns gwlbctl's global state setting (--state,
	// GWLBCTL_STATE, the global config file, the default path) and its
	// layer, or the error loading the global settings.
	State func() (GlobalState, error)

	// Check prints the node the config and the state make (node.Check)
	// instead of running it; Format is how: "text" or "json".
	Check  bool
	Format string

	// StopOnSignal is told that SIGINT/SIGTERM is serve's normal stop, so
	// the process exits with serve's own status (0 after a clean stop).
	StopOnSignal func()
}

// Check output formats (--output of serve --check).
const (
	FormatText = "text"
	FormatJSON = "json"
)

// NewCmdServe returns the serve command. runF replaces the run function in
// tests (nil: run the node).
func NewCmdServe(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{
		Out:    f.IOStreams.Out,
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
and applies target, endpoint and attribute changes within a second without
dropping established flows. Its API (flows, targets, endpoints, counters,
events, lookups, Prometheus /metrics) is on a unix socket, api.socket
(` + "`gwlbctl top`" + ` reads it).

Settings come from, in increasing precedence: the node config file
(--node-config, or GWLBCTL_NODE_CONFIG), GWLBCTL_* environment variables (the key
in upper case with '.' and '-' as '_', e.g. GWLBCTL_APPLIANCE_ADDRESS) and
flags. configs/node.yaml documents every key. The state file is the one
every gwlbctl command uses: --state > GWLBCTL_STATE > the node config's
state > the global config file's state > the default path.

--check validates the config against the state and prints the node they
make (ports by role, endpoints, targets with health and zone, attributes,
inner MTU, warnings) without root, DPDK or any port opened: text, or JSON
with --output json. It exits non-zero when serve could not start.

serve needs root (DPDK, hugepages, TAP). It refuses ports, a TAP or an API
socket another serve holds, naming its pid. It stops on SIGINT or SIGTERM
(a second one is ignored; a third, or 10 seconds without a clean stop,
ends it at once), writing the final stats to the log and --stats-file.`,
		Example: `  # check a change before restarting the node
  gwlbctl serve --node-config configs/node.yaml --check

  # the node of gateway load balancer my-gwlb in us-east-1a, ports in node.yaml
  gwlbctl serve --node-config configs/node.yaml

  # same, overriding the appliance address and writing stats for scripts
  GWLBCTL_APPLIANCE_ADDRESS=10.0.1.10/24 gwlbctl serve --node-config node.yaml --stats-file /run/gwlbctl/stats.json

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
			if opts.Check {
				// The global --output, when given: text unless told json.
				opts.Format = FormatText
				if f := cmd.Flag("output"); f != nil && f.Changed {
					opts.Format = f.Value.String()
				}
				if opts.Format != FormatText && opts.Format != FormatJSON {
					return cmdutil.FlagErrorf("serve --check prints %s or %s, not %q (--output)", FormatText, FormatJSON, opts.Format)
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
			if opts.Check {
				if runF != nil {
					return runF(cmd.Context(), opts)
				}
				return check(opts)
			}
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
	cmd.Flags().BoolVar(&opts.Check, "check", false, "validate the config against the state and print the node they make, without starting it (no root needed; --output json for JSON)")
	addConfigFlags(cmd.Flags())
	return cmd
}

func run(ctx context.Context, opts *Options) error {
	if err := node.CheckPrivileges(); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(opts.ErrOut, nil))
	return node.Run(ctx, opts.Config, log, node.StartOptions{})
}

func check(opts *Options) error {
	r, err := node.Check(opts.Config)
	if err != nil {
		return fmt.Errorf("serve --check: the node cannot start: %w", err)
	}
	if opts.Format == FormatJSON {
		return writeCheckJSON(opts.Out, r)
	}
	return writeCheckText(opts.Out, r)
}
