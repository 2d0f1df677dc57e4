package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

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
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
