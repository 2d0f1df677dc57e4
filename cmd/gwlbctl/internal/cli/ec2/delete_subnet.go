package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// DeleteSubnetOptions are the inputs of `ec2 delete-subnet`.
type DeleteSubnetOptions struct {
	cmdutil.Op
	Input control.DeleteSubnetInput
}

// NewCmdDeleteSubnet returns `ec2 delete-subnet`.
func NewCmdDeleteSubnet(f *cmdutil.Factory, runF func(*DeleteSubnetOptions) error) *cobra.Command {
	opts := &DeleteSubnetOptions{Op: f.Op()}
	cmd := &cobra.Command{
		Use:     "delete-subnet",
		Short:   "Delete a subnet no load balancer or endpoint uses",
		Example: `  gwlbctl ec2 delete-subnet --subnet-id ` + exSubnet,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "subnet-id"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DeleteSubnet", true, (*control.State).DeleteSubnet, opts.Input)
		},
	}
	cmd.Flags().StringVar(&opts.Input.SubnetId, "subnet-id", "", "subnet ID")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
