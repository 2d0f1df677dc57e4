package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// DeleteInternetGatewayOptions are the inputs of `ec2 delete-internet-gateway`.
type DeleteInternetGatewayOptions struct {
	cmdutil.Op
	Input control.DeleteInternetGatewayInput
}

// NewCmdDeleteInternetGateway returns `ec2 delete-internet-gateway`.
func NewCmdDeleteInternetGateway(f *cmdutil.Factory, runF func(*DeleteInternetGatewayOptions) error) *cobra.Command {
	opts := &DeleteInternetGatewayOptions{Op: f.Op()}
	cmd := &cobra.Command{
		Use:     "delete-internet-gateway",
		Short:   "Delete a detached internet gateway",
		Example: `  gwlbctl ec2 delete-internet-gateway --internet-gateway-id ` + exGateway,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "internet-gateway-id"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DeleteInternetGateway", true, (*control.State).DeleteInternetGateway, opts.Input)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Input.InternetGatewayId, "internet-gateway-id", "", "internet gateway ID")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
