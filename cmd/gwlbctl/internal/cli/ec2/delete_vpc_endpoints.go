package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// DeleteVpcEndpointsOptions are the inputs of `ec2 delete-vpc-endpoints`.
type DeleteVpcEndpointsOptions struct {
	cmdutil.Op
	Input control.DeleteVpcEndpointsInput
}

// NewCmdDeleteVpcEndpoints returns `ec2 delete-vpc-endpoints`.
func NewCmdDeleteVpcEndpoints(f *cmdutil.Factory, runF func(*DeleteVpcEndpointsOptions) error) *cobra.Command {
	opts := &DeleteVpcEndpointsOptions{Op: f.Op()}
	var ids []string
	cmd := &cobra.Command{
		Use:     "delete-vpc-endpoints",
		Short:   "Delete Gateway Load Balancer endpoints",
		Example: `  gwlbctl ec2 delete-vpc-endpoints --vpc-endpoint-ids ` + exEndpoint,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "vpc-endpoint-ids"); err != nil {
				return err
			}
			var err error
			if opts.Input.VpcEndpointIds, err = cmdutil.DecodeStrings(cmd.Flags(), "vpc-endpoint-ids", ids); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DeleteVpcEndpoints", true, (*control.State).DeleteVpcEndpoints, opts.Input)
		},
	}
	cmdutil.ListFlag(cmd, &ids, "vpc-endpoint-ids", "endpoint IDs")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
