// Package nodes holds `gwlbctl nodes`: the serve nodes registered in the
// state store, a gwlbctl extension (AWS keeps a load balancer's nodes to
// itself, so describe-load-balancers keeps AWS's shape and lists none).
package nodes

import (
	"context"
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/store"
)

// Options are the inputs of `nodes`.
type Options struct {
	cmdutil.Op
	// LoadBalancer, when set, keeps the nodes of this load balancer (ARN
	// or name).
	LoadBalancer string
}

// Result is what `nodes` prints.
type Result struct {
	// Registry is the store the nodes register in.
	Registry string `json:"Registry"`
	// Nodes are the live registrations, by node id, with the node API's
	// field names (GET /nodes).
	Nodes []control.NodeRegistration `json:"Nodes"`
}

// NewCmdNodes returns `nodes`.
func NewCmdNodes(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Op: f.Op()}
	cmd := &cobra.Command{
		Use:   "nodes",
		Short: "List the serve nodes registered in the state store",
		Long: `Lists the gwlbctl serve nodes that share the configured state store: each
node registers itself while it runs (node id, load balancer, zone,
appliance address, start time, version, API socket, host and pid) under a
lease it renews; a node that stops leaves the list at once, one that dies
when its lease (lease_ttl_seconds) expires.

Registration needs an etcd store (--state etcd://HOST:2379/PREFIX): the
nodes of a state file do not see each other, and this command says so.
Each node's API lists the same for its own load balancer (GET /nodes).

This is a gwlbctl extension: describe-load-balancers prints exactly what
AWS prints, which has no nodes.`,
		Example: `  gwlbctl --state etcd://10.0.0.5:2379/gwlbctl nodes
  gwlbctl nodes --load-balancer inspection-gwlb --output table
  gwlbctl nodes --query 'Nodes[].[node_id,availability_zone,appliance_address]' --output text`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("load-balancer") && strings.TrimSpace(opts.LoadBalancer) == "" {
				return cmdutil.FlagErrorf("argument --load-balancer: give a load balancer's name or ARN")
			}
			if runF != nil {
				return runF(opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.LoadBalancer, "load-balancer", "", "only the nodes of this load balancer (name or ARN)")
	return cmd
}

func run(ctx context.Context, opts *Options) error {
	st, err := opts.Store()
	if err != nil {
		return err
	}
	reg, err := store.RegistryOf(st)
	if err != nil {
		return &cmdutil.ConfigError{Err: err}
	}
	lbArn := ""
	if opts.LoadBalancer != "" {
		if lbArn, err = resolve(st, opts); err != nil {
			return err
		}
	}
	all, err := reg.Nodes(ctx)
	if err != nil {
		return &cmdutil.ConfigError{Err: err}
	}
	res := Result{Registry: st.Describe(), Nodes: []control.NodeRegistration{}}
	for _, n := range all {
		if lbArn == "" || n.LoadBalancer == lbArn {
			res.Nodes = append(res.Nodes, n)
		}
	}
	return cmdutil.Print(opts.Op, "Nodes", res)
}

// resolve finds the load balancer's ARN, as describe-load-balancers does
// (an unknown one is its LoadBalancerNotFound).
func resolve(st store.Store, opts *Options) (string, error) {
	cfg, err := opts.Config()
	if err != nil {
		return "", err
	}
	in := control.DescribeLoadBalancersInput{Names: []string{opts.LoadBalancer}}
	if strings.HasPrefix(opts.LoadBalancer, "arn:") {
		in = control.DescribeLoadBalancersInput{LoadBalancerArns: []string{opts.LoadBalancer}}
	}
	var arn string
	err = st.View(func(s *control.State) error {
		out, err := s.DescribeLoadBalancers(cfg.Env(), in)
		if err != nil {
			return err
		}
		if len(out.LoadBalancers) != 1 {
			return errors.New("load balancer " + opts.LoadBalancer + " matched more than one")
		}
		arn = out.LoadBalancers[0].LoadBalancerArn
		return nil
	})
	var ce *control.Error
	if err != nil && !errors.As(err, &ce) {
		err = &cmdutil.ConfigError{Err: err}
	}
	return arn, err
}
