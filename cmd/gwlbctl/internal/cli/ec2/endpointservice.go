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
	return cmd
}

// DescribeVpcEndpointServiceConfigurationsOptions are the inputs of
// `ec2 describe-vpc-endpoint-service-configurations`.
type DescribeVpcEndpointServiceConfigurationsOptions struct {
	cmdutil.Op
	Input control.DescribeVpcEndpointServiceConfigurationsInput
}

// NewCmdDescribeVpcEndpointServiceConfigurations returns
// `ec2 describe-vpc-endpoint-service-configurations`.
func NewCmdDescribeVpcEndpointServiceConfigurations(f *cmdutil.Factory, runF func(*DescribeVpcEndpointServiceConfigurationsOptions) error) *cobra.Command {
	opts := &DescribeVpcEndpointServiceConfigurationsOptions{Op: f.Op()}
	var ids, filters []string
	cmd := &cobra.Command{
		Use:   "describe-vpc-endpoint-service-configurations",
		Short: "List endpoint services",
		Example: `  gwlbctl ec2 describe-vpc-endpoint-service-configurations --output table
  gwlbctl ec2 describe-vpc-endpoint-service-configurations --service-ids ` + exService + ` \
    --query 'ServiceConfigurations[0].ServiceState' --output text`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Input.ServiceIds, err = cmdutil.DecodeStrings(cmd.Flags(), "service-ids", ids); err != nil {
				return err
			}
			if err := cmdutil.DecodeList(cmd.Flags(), "filters", filters, &opts.Input.Filters); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DescribeVpcEndpointServiceConfigurations", false, (*control.State).DescribeVpcEndpointServiceConfigurations, opts.Input)
		},
	}
	cmdutil.ListFlag(cmd, &ids, "service-ids", "endpoint service IDs")
	cmdutil.ListFlag(cmd, &filters, "filters", filtersUsage)
	return cmd
}

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
	return cmd
}

// DeleteVpcEndpointServiceConfigurationsOptions are the inputs of
// `ec2 delete-vpc-endpoint-service-configurations`.
type DeleteVpcEndpointServiceConfigurationsOptions struct {
	cmdutil.Op
	Input control.DeleteVpcEndpointServiceConfigurationsInput
}

// NewCmdDeleteVpcEndpointServiceConfigurations returns
// `ec2 delete-vpc-endpoint-service-configurations`.
func NewCmdDeleteVpcEndpointServiceConfigurations(f *cmdutil.Factory, runF func(*DeleteVpcEndpointServiceConfigurationsOptions) error) *cobra.Command {
	opts := &DeleteVpcEndpointServiceConfigurationsOptions{Op: f.Op()}
	var ids []string
	cmd := &cobra.Command{
		Use:     "delete-vpc-endpoint-service-configurations",
		Short:   "Delete endpoint services with no available or pending endpoints",
		Example: `  gwlbctl ec2 delete-vpc-endpoint-service-configurations --service-ids ` + exService,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "service-ids"); err != nil {
				return err
			}
			var err error
			if opts.Input.ServiceIds, err = cmdutil.DecodeStrings(cmd.Flags(), "service-ids", ids); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DeleteVpcEndpointServiceConfigurations", true, (*control.State).DeleteVpcEndpointServiceConfigurations, opts.Input)
		},
	}
	cmdutil.ListFlag(cmd, &ids, "service-ids", "endpoint service IDs")
	return cmd
}

// ModifyVpcEndpointServicePermissionsOptions are the inputs of
// `ec2 modify-vpc-endpoint-service-permissions`.
type ModifyVpcEndpointServicePermissionsOptions struct {
	cmdutil.Op
	Input control.ModifyVpcEndpointServicePermissionsInput
}

// NewCmdModifyVpcEndpointServicePermissions returns
// `ec2 modify-vpc-endpoint-service-permissions`.
func NewCmdModifyVpcEndpointServicePermissions(f *cmdutil.Factory, runF func(*ModifyVpcEndpointServicePermissionsOptions) error) *cobra.Command {
	opts := &ModifyVpcEndpointServicePermissionsOptions{Op: f.Op()}
	var add, remove []string
	cmd := &cobra.Command{
		Use:   "modify-vpc-endpoint-service-permissions",
		Short: "Allow or disallow principals to create endpoints to a service",
		Example: `  gwlbctl ec2 modify-vpc-endpoint-service-permissions --service-id ` + exService + ` \
    --add-allowed-principals arn:aws:iam::123456789012:root`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "service-id"); err != nil {
				return err
			}
			var err error
			if opts.Input.AddAllowedPrincipals, err = cmdutil.DecodeStrings(cmd.Flags(), "add-allowed-principals", add); err != nil {
				return err
			}
			if opts.Input.RemoveAllowedPrincipals, err = cmdutil.DecodeStrings(cmd.Flags(), "remove-allowed-principals", remove); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "ModifyVpcEndpointServicePermissions", true, (*control.State).ModifyVpcEndpointServicePermissions, opts.Input)
		},
	}
	cmd.Flags().StringVar(&opts.Input.ServiceId, "service-id", "", "endpoint service ID")
	cmdutil.ListFlag(cmd, &add, "add-allowed-principals", "principal ARNs to allow (arn:aws:iam::<account>:root, or *)")
	cmdutil.ListFlag(cmd, &remove, "remove-allowed-principals", "principal ARNs to remove")
	return cmd
}

// DescribeVpcEndpointServicePermissionsOptions are the inputs of
// `ec2 describe-vpc-endpoint-service-permissions`.
type DescribeVpcEndpointServicePermissionsOptions struct {
	cmdutil.Op
	Input control.DescribeVpcEndpointServicePermissionsInput
}

// NewCmdDescribeVpcEndpointServicePermissions returns
// `ec2 describe-vpc-endpoint-service-permissions`.
func NewCmdDescribeVpcEndpointServicePermissions(f *cmdutil.Factory, runF func(*DescribeVpcEndpointServicePermissionsOptions) error) *cobra.Command {
	opts := &DescribeVpcEndpointServicePermissionsOptions{Op: f.Op()}
	var filters []string
	cmd := &cobra.Command{
		Use:     "describe-vpc-endpoint-service-permissions",
		Short:   "List the principals allowed to connect to an endpoint service",
		Example: `  gwlbctl ec2 describe-vpc-endpoint-service-permissions --service-id ` + exService + ` --output table`,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "service-id"); err != nil {
				return err
			}
			if err := cmdutil.DecodeList(cmd.Flags(), "filters", filters, &opts.Input.Filters); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DescribeVpcEndpointServicePermissions", false, (*control.State).DescribeVpcEndpointServicePermissions, opts.Input)
		},
	}
	cmd.Flags().StringVar(&opts.Input.ServiceId, "service-id", "", "endpoint service ID")
	cmdutil.ListFlag(cmd, &filters, "filters", filtersUsage)
	return cmd
}
