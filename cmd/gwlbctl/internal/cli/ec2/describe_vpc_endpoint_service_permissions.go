package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

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
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
