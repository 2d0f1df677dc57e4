package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// ModifyVpcEndpointServiceConfigurationOptions are the inputs of
// `ec2 modify-vpc-endpoint-service-configuration`.
type ModifyVpcEndpointServiceConfigurationOptions struct {
	cmdutil.Op
	Input control.ModifyVpcEndpointServiceConfigurationInput
}

// NewCmdModifyVpcEndpointServiceConfiguration returns
// `ec2 modify-vpc-endpoint-service-configuration`.
func NewCmdModifyVpcEndpointServiceConfiguration(f *cmdutil.Factory, runF func(*ModifyVpcEndpointServiceConfigurationOptions) error) *cobra.Command {
	opts := &ModifyVpcEndpointServiceConfigurationOptions{Op: f.Op()}
	var add, remove []string
	cmd := &cobra.Command{
		Use:   "modify-vpc-endpoint-service-configuration",
		Short: "Change acceptance or the load balancers of an endpoint service",
		Example: `  gwlbctl ec2 modify-vpc-endpoint-service-configuration --service-id ` + exService + ` --no-acceptance-required
  gwlbctl ec2 modify-vpc-endpoint-service-configuration --service-id ` + exService + ` \
    --add-gateway-load-balancer-arns ` + exLB,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "service-id"); err != nil {
				return err
			}
			var err error
			if opts.Input.AddGatewayLoadBalancerArns, err = cmdutil.DecodeStrings(cmd.Flags(), "add-gateway-load-balancer-arns", add); err != nil {
				return err
			}
			if opts.Input.RemoveGatewayLoadBalancerArns, err = cmdutil.DecodeStrings(cmd.Flags(), "remove-gateway-load-balancer-arns", remove); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "ModifyVpcEndpointServiceConfiguration", true, (*control.State).ModifyVpcEndpointServiceConfiguration, opts.Input)
		},
	}
	cmd.Flags().StringVar(&opts.Input.ServiceId, "service-id", "", "endpoint service ID")
	cmdutil.BoolPairFlag(cmd, &opts.Input.AcceptanceRequired, "acceptance-required", "endpoint connections must be accepted")
	cmdutil.ListFlag(cmd, &add, "add-gateway-load-balancer-arns", "gateway load balancer ARNs to add")
	cmdutil.ListFlag(cmd, &remove, "remove-gateway-load-balancer-arns", "gateway load balancer ARNs to remove")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
