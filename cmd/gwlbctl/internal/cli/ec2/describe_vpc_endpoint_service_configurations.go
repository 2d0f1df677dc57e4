package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

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
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
