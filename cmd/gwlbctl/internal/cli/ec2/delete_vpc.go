package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// DeleteVpcOptions are the inputs of `ec2 delete-vpc`.
type DeleteVpcOptions struct {
	cmdutil.Op
	Input control.DeleteVpcInput
}

// NewCmdDeleteVpc returns `ec2 delete-vpc`.
func NewCmdDeleteVpc(f *cmdutil.Factory, runF func(*DeleteVpcOptions) error) *cobra.Command {
	opts := &DeleteVpcOptions{Op: f.Op()}
	cmd := &cobra.Command{
		Use:     "delete-vpc",
		Short:   "Delete a VPC with no subnets, target groups or endpoints",
		Example: `  gwlbctl ec2 delete-vpc --vpc-id ` + exVpc,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "vpc-id"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DeleteVpc", true, (*control.State).DeleteVpc, opts.Input)
		},
	}
	cmd.Flags().StringVar(&opts.Input.VpcId, "vpc-id", "", "VPC ID")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
