package elbv2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// DescribeLoadBalancersOptions are the inputs of `elbv2 describe-load-balancers`.
type DescribeLoadBalancersOptions struct {
	cmdutil.Op
	Input control.DescribeLoadBalancersInput
}

// NewCmdDescribeLoadBalancers returns `elbv2 describe-load-balancers`.
func NewCmdDescribeLoadBalancers(f *cmdutil.Factory, runF func(*DescribeLoadBalancersOptions) error) *cobra.Command {
	opts := &DescribeLoadBalancersOptions{Op: f.Op()}
	var arns, names []string
	cmd := &cobra.Command{
		Use:   "describe-load-balancers",
		Short: "List load balancers, all or those named",
		Example: `  gwlbctl elbv2 describe-load-balancers
  gwlbctl elbv2 describe-load-balancers --names my-gwlb --output table
  gwlbctl elbv2 describe-load-balancers --names my-gwlb --query 'LoadBalancers[0].LoadBalancerArn' --output text`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fs := cmd.Flags()
			var err error
			if opts.Input.LoadBalancerArns, err = cmdutil.DecodeStrings(fs, "load-balancer-arns", arns); err != nil {
				return err
			}
			if opts.Input.Names, err = cmdutil.DecodeStrings(fs, "names", names); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DescribeLoadBalancers", false, (*control.State).DescribeLoadBalancers, opts.Input)
		},
	}
	cmdutil.ListFlag(cmd, &arns, "load-balancer-arns", "load balancer ARNs")
	cmdutil.ListFlag(cmd, &names, "names", "load balancer names")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
