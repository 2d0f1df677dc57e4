package elbv2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// ModifyLoadBalancerAttributesOptions are the inputs of
// `elbv2 modify-load-balancer-attributes`.
type ModifyLoadBalancerAttributesOptions struct {
	cmdutil.Op
	Input control.ModifyLoadBalancerAttributesInput
}

// NewCmdModifyLoadBalancerAttributes returns `elbv2 modify-load-balancer-attributes`.
func NewCmdModifyLoadBalancerAttributes(f *cmdutil.Factory, runF func(*ModifyLoadBalancerAttributesOptions) error) *cobra.Command {
	opts := &ModifyLoadBalancerAttributesOptions{Op: f.Op()}
	var attrs []string
	cmd := &cobra.Command{
		Use:   "modify-load-balancer-attributes",
		Short: "Set load balancer attributes",
		Long: `Sets load balancer attributes and prints all of them. Gateway load balancer
attributes: load_balancing.cross_zone.enabled, deletion_protection.enabled
(true|false, default false).`,
		Example: `  gwlbctl elbv2 modify-load-balancer-attributes --load-balancer-arn ` + exLB + ` \
    --attributes Key=load_balancing.cross_zone.enabled,Value=true

  gwlbctl elbv2 modify-load-balancer-attributes --load-balancer-arn ` + exLB + ` \
    --attributes '[{"Key":"deletion_protection.enabled","Value":"true"}]'`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "load-balancer-arn", "attributes"); err != nil {
				return err
			}
			if err := cmdutil.DecodeList(cmd.Flags(), "attributes", attrs, &opts.Input.Attributes); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "ModifyLoadBalancerAttributes", true, (*control.State).ModifyLoadBalancerAttributes, opts.Input)
		},
	}
	cmd.Flags().StringVar(&opts.Input.LoadBalancerArn, "load-balancer-arn", "", "load balancer ARN")
	cmdutil.ListFlag(cmd, &attrs, "attributes", "attributes: Key=name,Value=value ...")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
