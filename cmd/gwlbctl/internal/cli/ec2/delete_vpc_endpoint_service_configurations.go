package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

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
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
