package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// CreateVpcEndpointServiceConfigurationOptions are the inputs of
// `ec2 create-vpc-endpoint-service-configuration`.
type CreateVpcEndpointServiceConfigurationOptions struct {
	cmdutil.Op
	Input control.CreateVpcEndpointServiceConfigurationInput
}

// NewCmdCreateVpcEndpointServiceConfiguration returns
// `ec2 create-vpc-endpoint-service-configuration`.
func NewCmdCreateVpcEndpointServiceConfiguration(f *cmdutil.Factory, runF func(*CreateVpcEndpointServiceConfigurationOptions) error) *cobra.Command {
	opts := &CreateVpcEndpointServiceConfigurationOptions{Op: f.Op()}
	var gwlbs, nlbs, ipTypes, specs []string
	cmd := &cobra.Command{
		Use:   "create-vpc-endpoint-service-configuration",
		Short: "Create an endpoint service in front of gateway load balancers",
		Long: `Creates a VPC endpoint service for gateway load balancers. With
--acceptance-required, new endpoints wait in pendingAcceptance until
accept-vpc-endpoint-connections; with --no-acceptance-required they become
available at once. Deviation: when neither is given, acceptance is required.`,
		Example: `  gwlbctl ec2 create-vpc-endpoint-service-configuration \
    --gateway-load-balancer-arns ` + exLB + ` --acceptance-required \
    --query ServiceConfiguration.ServiceName --output text

  gwlbctl ec2 create-vpc-endpoint-service-configuration \
    --gateway-load-balancer-arns ` + exLB + ` --no-acceptance-required`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fs := cmd.Flags()
			if err := cmdutil.Require(cmd, "gateway-load-balancer-arns"); err != nil {
				return err
			}
			var err error
			if opts.Input.GatewayLoadBalancerArns, err = cmdutil.DecodeStrings(fs, "gateway-load-balancer-arns", gwlbs); err != nil {
				return err
			}
			if opts.Input.NetworkLoadBalancerArns, err = cmdutil.DecodeStrings(fs, "network-load-balancer-arns", nlbs); err != nil {
				return err
			}
			if opts.Input.SupportedIpAddressTypes, err = cmdutil.DecodeStrings(fs, "supported-ip-address-types", ipTypes); err != nil {
				return err
			}
			if err := cmdutil.DecodeList(fs, "tag-specifications", specs, &opts.Input.TagSpecifications); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "CreateVpcEndpointServiceConfiguration", true, (*control.State).CreateVpcEndpointServiceConfiguration, opts.Input)
		},
	}
	fl := cmd.Flags()
	cmdutil.BoolPairFlag(cmd, &opts.Input.AcceptanceRequired, "acceptance-required", "endpoint connections must be accepted")
	cmdutil.ListFlag(cmd, &gwlbs, "gateway-load-balancer-arns", "gateway load balancer ARNs")
	cmdutil.ListFlag(cmd, &nlbs, "network-load-balancer-arns", "not supported (gateway load balancers only)")
	fl.StringVar(&opts.Input.PrivateDnsName, "private-dns-name", "", "not supported for gateway load balancer services")
	cmdutil.ListFlag(cmd, &ipTypes, "supported-ip-address-types", "ipv4 and/or ipv6")
	fl.StringVar(&opts.Input.ClientToken, "client-token", "", "idempotency token")
	cmdutil.ListFlag(cmd, &specs, "tag-specifications", "ResourceType=vpc-endpoint-service,Tags=[{Key=k,Value=v}]")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
