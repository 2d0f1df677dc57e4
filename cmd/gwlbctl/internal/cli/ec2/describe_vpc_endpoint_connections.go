package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// DescribeVpcEndpointConnectionsOptions are the inputs of
// `ec2 describe-vpc-endpoint-connections`.
type DescribeVpcEndpointConnectionsOptions struct {
	cmdutil.Op
	Input control.DescribeVpcEndpointConnectionsInput
}

// NewCmdDescribeVpcEndpointConnections returns `ec2 describe-vpc-endpoint-connections`.
func NewCmdDescribeVpcEndpointConnections(f *cmdutil.Factory, runF func(*DescribeVpcEndpointConnectionsOptions) error) *cobra.Command {
	opts := &DescribeVpcEndpointConnectionsOptions{Op: f.Op()}
	var filters []string
	cmd := &cobra.Command{
		Use:   "describe-vpc-endpoint-connections",
		Short: "List endpoint connections as the service owner sees them",
		Example: `  gwlbctl ec2 describe-vpc-endpoint-connections --output table
  gwlbctl ec2 describe-vpc-endpoint-connections --filters Name=vpc-endpoint-state,Values=pendingAcceptance \
    --query 'VpcEndpointConnections[].VpcEndpointId' --output text`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.DecodeList(cmd.Flags(), "filters", filters, &opts.Input.Filters); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DescribeVpcEndpointConnections", false, (*control.State).DescribeVpcEndpointConnections, opts.Input)
		},
	}
	cmdutil.ListFlag(cmd, &filters, "filters", filtersUsage)
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
