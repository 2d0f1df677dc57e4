package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// AttachInternetGatewayOptions are the inputs of `ec2 attach-internet-gateway`.
type AttachInternetGatewayOptions struct {
	cmdutil.Op
	Input control.AttachInternetGatewayInput
}

// NewCmdAttachInternetGateway returns `ec2 attach-internet-gateway`.
func NewCmdAttachInternetGateway(f *cmdutil.Factory, runF func(*AttachInternetGatewayOptions) error) *cobra.Command {
	opts := &AttachInternetGatewayOptions{Op: f.Op()}
	cmd := &cobra.Command{
		Use:     "attach-internet-gateway",
		Short:   "Attach an internet gateway to a VPC",
		Example: `  gwlbctl ec2 attach-internet-gateway --internet-gateway-id ` + exGateway + ` --vpc-id ` + exVpc,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "internet-gateway-id", "vpc-id"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "AttachInternetGateway", true, (*control.State).AttachInternetGateway, opts.Input)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Input.InternetGatewayId, "internet-gateway-id", "", "internet gateway ID")
	fl.StringVar(&opts.Input.VpcId, "vpc-id", "", "VPC ID")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
