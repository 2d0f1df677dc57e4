package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// DescribeVpcEndpointsOptions are the inputs of `ec2 describe-vpc-endpoints`.
type DescribeVpcEndpointsOptions struct {
	cmdutil.Op
	Input control.DescribeVpcEndpointsInput
}

// NewCmdDescribeVpcEndpoints returns `ec2 describe-vpc-endpoints`.
func NewCmdDescribeVpcEndpoints(f *cmdutil.Factory, runF func(*DescribeVpcEndpointsOptions) error) *cobra.Command {
	opts := &DescribeVpcEndpointsOptions{Op: f.Op()}
	var ids, filters []string
	cmd := &cobra.Command{
		Use:   "describe-vpc-endpoints",
		Short: "List Gateway Load Balancer endpoints",
		Example: `  gwlbctl ec2 describe-vpc-endpoints --output table
  gwlbctl ec2 describe-vpc-endpoints --vpc-endpoint-ids ` + exEndpoint + ` --query 'VpcEndpoints[0].State' --output text
  gwlbctl ec2 describe-vpc-endpoints --filters Name=vpc-endpoint-type,Values=GatewayLoadBalancer`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Input.VpcEndpointIds, err = cmdutil.DecodeStrings(cmd.Flags(), "vpc-endpoint-ids", ids); err != nil {
				return err
			}
			if err := cmdutil.DecodeList(cmd.Flags(), "filters", filters, &opts.Input.Filters); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DescribeVpcEndpoints", false, (*control.State).DescribeVpcEndpoints, opts.Input)
		},
	}
	cmdutil.ListFlag(cmd, &ids, "vpc-endpoint-ids", "endpoint IDs")
	cmdutil.ListFlag(cmd, &filters, "filters", filtersUsage)
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
