package elbv2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// DeleteLoadBalancerOptions are the inputs of `elbv2 delete-load-balancer`.
type DeleteLoadBalancerOptions struct {
	cmdutil.Op
	Input control.DeleteLoadBalancerInput
}

// NewCmdDeleteLoadBalancer returns `elbv2 delete-load-balancer`.
func NewCmdDeleteLoadBalancer(f *cmdutil.Factory, runF func(*DeleteLoadBalancerOptions) error) *cobra.Command {
	opts := &DeleteLoadBalancerOptions{Op: f.Op()}
	cmd := &cobra.Command{
		Use:   "delete-load-balancer",
		Short: "Delete a load balancer and its listener",
		Long: `Deletes a load balancer and its listener. Refused while deletion protection
is on (OperationNotPermitted) or while an endpoint service uses it
(ResourceInUse). Deleting a load balancer that does not exist succeeds.`,
		Example: `  gwlbctl elbv2 delete-load-balancer --load-balancer-arn ` + exLB,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "load-balancer-arn"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DeleteLoadBalancer", true, (*control.State).DeleteLoadBalancer, opts.Input)
		},
	}
	cmd.Flags().StringVar(&opts.Input.LoadBalancerArn, "load-balancer-arn", "", "load balancer ARN")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
