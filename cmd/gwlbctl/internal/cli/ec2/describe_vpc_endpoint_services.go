package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// DescribeVpcEndpointServicesOptions are the inputs of `ec2 describe-vpc-endpoint-services`.
type DescribeVpcEndpointServicesOptions struct {
	cmdutil.Op
	Input control.DescribeVpcEndpointServicesInput
}

// NewCmdDescribeVpcEndpointServices returns `ec2 describe-vpc-endpoint-services`.
func NewCmdDescribeVpcEndpointServices(f *cmdutil.Factory, runF func(*DescribeVpcEndpointServicesOptions) error) *cobra.Command {
	opts := &DescribeVpcEndpointServicesOptions{Op: f.Op()}
	var service_names, filters []string
	cmd := &cobra.Command{
		Use:   "describe-vpc-endpoint-services",
		Short: "Find endpoint services by name: the consumer's look-up",
		Example: `  gwlbctl ec2 describe-vpc-endpoint-services --service-names ` + exSvcName + `
  gwlbctl ec2 describe-vpc-endpoint-services --filters Name=service-type,Values=GatewayLoadBalancer \
    --query 'ServiceDetails[].ServiceName' --output text`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Input.ServiceNames, err = cmdutil.DecodeStrings(cmd.Flags(), "service-names", service_names); err != nil {
				return err
			}
			if err := cmdutil.DecodeList(cmd.Flags(), "filters", filters, &opts.Input.Filters); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DescribeVpcEndpointServices", false, (*control.State).DescribeVpcEndpointServices, opts.Input)
		},
	}
	cmdutil.ListFlag(cmd, &service_names, "service-names", "service names (com.amazonaws.vpce.<region>.vpce-svc-...)")
	cmdutil.ListFlag(cmd, &filters, "filters", "filters: Name=<filter>,Values=v1,v2 ... (service-name, service-type, owner, supported-ip-address-types, tag:<key>, ...)")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
