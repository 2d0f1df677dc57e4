// Package top implements `gwlbctl top`: the live dashboard of a node
// (package tui) on the node's API socket, or with --once a single snapshot
// for scripts.
package top

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/output"
	"github.com/gwlbctl/gwlbctl/control/api"
	"github.com/gwlbctl/gwlbctl/tui"
)

// Environment variables top reads: the node config serve reads, and
// serve's api.socket setting.
const (
	envNodeConfig = "GWLBCTL_NODE_CONFIG"
	envSocket     = "GWLBCTL_API_SOCKET"
)

// Bounds of --interval: faster would load the node for nothing a person
// can read; slower is no longer live.
const (
	minInterval = 100 * time.Millisecond
	maxInterval = time.Hour
)

// Options are top's inputs.
type Options struct {
	// Node is --node: the API socket ("" : from the node config or the
	// default).
	Node string
	// NodeConfig is --node-config (or GWLBCTL_NODE_CONFIG): its api.socket
	// is the socket when --node is not given.
	NodeConfig string
	Interval   time.Duration
	Once       bool
	Filter     string
	Sort       string
	Limit      int
	LogFile    string

	// Resolved by RunE.
	Socket     string
	FlowFilter api.FlowFilter
	FlowSort   api.FlowSort

	IO     *cmdutil.IOStreams
	Config func() (*cmdutil.Config, error)
	Getenv func(string) string
	// StopOnSignal is told that SIGINT/SIGTERM end the dashboard, which
	// then restores the terminal itself.
	StopOnSignal func()
}

// NewCmdTop returns the top command. runF replaces the run function in
// tests (nil: run).
func NewCmdTop(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Config: f.Config, Getenv: os.Getenv,
		StopOnSignal: func() { f.StopOnSignal.Store(true) }}
	return newCmdTop(opts, runF)
}

func newCmdTop(opts *Options, runF func(context.Context, *Options) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "top",
		Short: "Watch a load balancer node live: flows, targets, endpoints, drops, events",
		Long: `Watch a gateway load balancer node live.

top reads the node's local API (the unix socket gwlbctl serve listens on)
every --interval and shows: the node, its load balancer and zone, uptime,
revision and totals with packet and bit rate sparklines; the top flows
(5-tuple, endpoint, target, packets and bytes each way, mean rate, age,
idle); the targets with their health; the endpoints; drops by reason; and
the node's events as they happen. It asks the node only for the flows it
shows (the top N by the order chosen), so it stays light on a node with
millions of flows.

Keys: tab / shift+tab move between panes, up/down (k/j) move in one,
enter shows a flow's or a target's detail, s / S change the flows' order
(bytes, packets, rate and age are ranked by the node; idle, proto, src,
dst, endpoint and target reorder the page shown), / types a filter
(control/api's syntax: "tcp 10.1.0.0/16 443", "endpoint=vpce-...
target=i-... port=8000-8999"), esc clears it, ? shows every key, q quits.

The socket: --node, else GWLBCTL_API_SOCKET, else api.socket of the node
config (--node-config or GWLBCTL_NODE_CONFIG), else ` + api.DefaultSocket + `.

--once prints one snapshot (info, totals, top flows, targets, endpoints,
drops, recent events) and exits: --output json (the default), yaml, text
or table, with --query. No terminal is needed.`,
		Example: `  gwlbctl top
  gwlbctl top --node-config configs/node.yaml --interval 500ms
  gwlbctl top --filter 'udp port=53' --sort packets
  gwlbctl top --once --output table
  gwlbctl top --once --limit 5 --query 'flows.flows[].[src,dst,target]'`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.resolve(cmd); err != nil {
				return err
			}
			cmd.SilenceUsage = true
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Node, "node", "", "the node's API socket (default: api.socket of the node config, else "+api.DefaultSocket+")")
	fl.StringVar(&opts.NodeConfig, "node-config", "", "node config whose api.socket to use (env "+envNodeConfig+")")
	fl.DurationVar(&opts.Interval, "interval", tui.DefaultInterval, "refresh interval ("+minInterval.String()+" to "+maxInterval.String()+")")
	fl.BoolVar(&opts.Once, "once", false, "print one snapshot and exit (json, yaml, text or table with --output)")
	fl.StringVar(&opts.Filter, "filter", "", "flows filter, e.g. 'tcp 10.1.0.0/16 port=443' (keys: endpoint target addr src dst proto port)")
	fl.StringVar(&opts.Sort, "sort", "bytes", "the node's ranking of flows: bytes, packets, rate or age")
	fl.IntVar(&opts.Limit, "limit", tui.DefaultSnapshotFlows, fmt.Sprintf("with --once: flows in the snapshot (1-%d)", api.MaxPageLimit))
	fl.StringVar(&opts.LogFile, "log-file", "", "write the dashboard's log to this file (never to the terminal)")
	_ = cmd.RegisterFlagCompletionFunc("sort", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"bytes", "packets", "rate", "age"}, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

// resolve checks the flags and finds the socket.
func (o *Options) resolve(cmd *cobra.Command) error {
	if o.Interval < minInterval || o.Interval > maxInterval {
		return cmdutil.FlagErrorf("--interval %v: want %v to %v", o.Interval, minInterval, maxInterval)
	}
	flt, err := api.ParseFlowFilter(o.Filter)
	if err != nil {
		return cmdutil.FlagErrorf("--filter: %v", err)
	}
	o.FlowFilter = flt
	srt, err := api.ParseFlowSort(o.Sort)
	if err != nil || srt == api.SortNone {
		return cmdutil.FlagErrorf("--sort %q: want bytes, packets, rate or age (largest first)", o.Sort)
	}
	o.FlowSort = srt
	if o.Limit < 1 || o.Limit > api.MaxPageLimit {
		return cmdutil.FlagErrorf("--limit %d: want 1 to %d", o.Limit, api.MaxPageLimit)
	}
	if cmd.Flags().Changed("limit") && !o.Once {
		return cmdutil.FlagErrorf("--limit is for --once; the dashboard shows as many flows as fit")
	}
	if !o.Once && !o.IO.IsStdoutTTY() {
		return cmdutil.FlagErrorf("top draws on a terminal and stdout is not one; for scripts and pipes use --once")
	}
	if o.NodeConfig == "" {
		o.NodeConfig = o.Getenv(envNodeConfig)
	}
	o.Socket, err = Socket(o.Node, o.Getenv(envSocket), o.NodeConfig)
	return err
}

// Socket picks the API socket: node (--node), else env
// (GWLBCTL_API_SOCKET), else api.socket of the node config file, else
// api.DefaultSocket.
func Socket(node, env, nodeConfig string) (string, error) {
	switch {
	case node != "":
		return node, nil
	case env != "":
		return env, nil
	case nodeConfig == "":
		return api.DefaultSocket, nil
	}
	v := viper.New()
	v.SetConfigFile(nodeConfig)
	if err := v.ReadInConfig(); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", &cmdutil.ConfigError{Err: fmt.Errorf("node config %s: file not found", nodeConfig),
				Hint: "Pass the node config gwlbctl serve runs with (--node-config), or the socket itself with --node."}
		}
		return "", &cmdutil.ConfigError{Err: fmt.Errorf("node config %s: %w", nodeConfig, err)}
	}
	s := strings.TrimSpace(v.GetString("api.socket"))
	if s == "" {
		return "", &cmdutil.ConfigError{Err: fmt.Errorf("node config %s: api.socket is empty, so that node serves no API", nodeConfig),
			Hint: "Set api.socket in the node config (and restart serve), or pass --node SOCKET."}
	}
	return s, nil
}

func run(ctx context.Context, o *Options) error {
	client := api.NewClient(o.Socket)
	defer client.Close()
	if o.Once {
		return once(ctx, o, client)
	}
	log, closeLog, err := openLog(o.LogFile)
	if err != nil {
		return err
	}
	defer closeLog()
	m, err := tui.New(tui.Options{Source: client, Socket: o.Socket, Interval: o.Interval,
		Filter: o.FlowFilter.String(), Sort: o.FlowSort, Log: log})
	if err != nil {
		return cmdutil.FlagErrorf("--filter: %v", err)
	}
	defer m.Close()
	if o.StopOnSignal != nil {
		// The program restores the terminal on SIGINT/SIGTERM itself.
		o.StopOnSignal()
	}
	log.Info("top started", "socket", o.Socket, "interval", o.Interval)
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithInput(o.IO.In), tea.WithOutput(o.IO.Out))
	_, err = p.Run()
	log.Info("top stopped", "err", err)
	if errors.Is(err, tea.ErrInterrupted) {
		return context.Canceled
	}
	return err
}

func once(ctx context.Context, o *Options, client *api.Client) error {
	cfg, err := o.Config()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	snap, err := tui.TakeSnapshot(ctx, client, tui.SnapshotRequest{Filter: o.FlowFilter, Sort: o.FlowSort, Limit: o.Limit})
	if err != nil {
		return err
	}
	if cfg.Output == "table" && cfg.Query == "" {
		return tui.WriteSnapshot(o.IO.Out, snap, o.IO.TerminalWidth(), time.Local)
	}
	return output.Render(o.IO.Out, output.Options{Format: cfg.Output, Query: cfg.Query, Title: "Top", Width: o.IO.TerminalWidth()}, snap)
}

// openLog opens --log-file for appending (nothing logged without one: the
// terminal is the dashboard's).
func openLog(path string) (*slog.Logger, func(), error) {
	if path == "" {
		return slog.New(slog.NewTextHandler(io.Discard, nil)), func() {}, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, cmdutil.FlagErrorf("--log-file: %v", err)
	}
	return slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug})), func() { f.Close() }, nil
}
