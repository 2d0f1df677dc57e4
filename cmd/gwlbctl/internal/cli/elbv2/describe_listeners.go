package elbv2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// DescribeListenersOptions are the inputs of `elbv2 describe-listeners`.
type DescribeListenersOptions struct {
	cmdutil.Op
	Input control.DescribeListenersInput
}

// NewCmdDescribeListeners returns `elbv2 describe-listeners`.
func NewCmdDescribeListeners(f *cmdutil.Factory, runF func(*DescribeListenersOptions) error) *cobra.Command {
	opts := &DescribeListenersOptions{Op: f.Op()}
	var arns []string
	cmd := &cobra.Command{
		Use:   "describe-listeners",
		Short: "List the listener of a load balancer, or listeners by ARN",
		Example: `  gwlbctl elbv2 describe-listeners --load-balancer-arn ` + exLB + `
  gwlbctl elbv2 describe-listeners --load-balancer-arn ` + exLB + ` --query 'Listeners[0].ListenerArn' --output text`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.RequireOne(cmd, "load-balancer-arn", "listener-arns"); err != nil {
				return err
			}
			var err error
			if opts.Input.ListenerArns, err = cmdutil.DecodeStrings(cmd.Flags(), "listener-arns", arns); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DescribeListeners", false, (*control.State).DescribeListeners, opts.Input)
		},
	}
	cmd.Flags().StringVar(&opts.Input.LoadBalancerArn, "load-balancer-arn", "", "load balancer ARN")
	cmdutil.ListFlag(cmd, &arns, "listener-arns", "listener ARNs")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
