package elbv2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// DescribeLoadBalancerAttributesOptions are the inputs of
// `elbv2 describe-load-balancer-attributes`.
type DescribeLoadBalancerAttributesOptions struct {
	cmdutil.Op
	Input control.DescribeLoadBalancerAttributesInput
}

// NewCmdDescribeLoadBalancerAttributes returns `elbv2 describe-load-balancer-attributes`.
func NewCmdDescribeLoadBalancerAttributes(f *cmdutil.Factory, runF func(*DescribeLoadBalancerAttributesOptions) error) *cobra.Command {
	opts := &DescribeLoadBalancerAttributesOptions{Op: f.Op()}
	cmd := &cobra.Command{
		Use:     "describe-load-balancer-attributes",
		Short:   "Show a load balancer's attributes (cross-zone, deletion protection)",
		Example: `  gwlbctl elbv2 describe-load-balancer-attributes --load-balancer-arn ` + exLB + ` --output table`,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "load-balancer-arn"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DescribeLoadBalancerAttributes", false, (*control.State).DescribeLoadBalancerAttributes, opts.Input)
		},
	}
	cmd.Flags().StringVar(&opts.Input.LoadBalancerArn, "load-balancer-arn", "", "load balancer ARN")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
