package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// VpcEndpointConnectionsOptions are the inputs of
// `ec2 accept-vpc-endpoint-connections` and `ec2 reject-vpc-endpoint-connections`.
type VpcEndpointConnectionsOptions struct {
	cmdutil.Op
	Input control.VpcEndpointConnectionsInput
}

// NewCmdAcceptVpcEndpointConnections returns `ec2 accept-vpc-endpoint-connections`.
func NewCmdAcceptVpcEndpointConnections(f *cmdutil.Factory, runF func(*VpcEndpointConnectionsOptions) error) *cobra.Command {
	return newConnectionsCmd(f, runF, "accept-vpc-endpoint-connections", "AcceptVpcEndpointConnections",
		"Accept endpoints in pendingAcceptance: they become available",
		(*control.State).AcceptVpcEndpointConnections)
}

func newConnectionsCmd(f *cmdutil.Factory, runF func(*VpcEndpointConnectionsOptions) error, use, opName, short string,
	op cmdutil.Operation[control.VpcEndpointConnectionsInput, control.VpcEndpointConnectionsOutput]) *cobra.Command {
	opts := &VpcEndpointConnectionsOptions{Op: f.Op()}
	var ids []string
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Long: short + `.

Endpoints that cannot change (not found, or not pendingAcceptance) are listed
under Unsuccessful with their error code. Deviation: the AWS CLI exits 0 in
that case; gwlbctl prints the response and exits 254 with the first failure.`,
		Example: `  gwlbctl ec2 ` + use + ` --service-id ` + exService + ` --vpc-endpoint-ids ` + exEndpoint,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "service-id", "vpc-endpoint-ids"); err != nil {
				return err
			}
			var err error
			if opts.Input.VpcEndpointIds, err = cmdutil.DecodeStrings(cmd.Flags(), "vpc-endpoint-ids", ids); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, opName, true, op, opts.Input)
		},
	}
	cmd.Flags().StringVar(&opts.Input.ServiceId, "service-id", "", "endpoint service ID")
	cmdutil.ListFlag(cmd, &ids, "vpc-endpoint-ids", "endpoint IDs")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
