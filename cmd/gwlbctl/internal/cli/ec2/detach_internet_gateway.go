package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// DetachInternetGatewayOptions are the inputs of `ec2 detach-internet-gateway`.
type DetachInternetGatewayOptions struct {
	cmdutil.Op
	Input control.DetachInternetGatewayInput
}

// NewCmdDetachInternetGateway returns `ec2 detach-internet-gateway`.
func NewCmdDetachInternetGateway(f *cmdutil.Factory, runF func(*DetachInternetGatewayOptions) error) *cobra.Command {
	opts := &DetachInternetGatewayOptions{Op: f.Op()}
	cmd := &cobra.Command{
		Use:     "detach-internet-gateway",
		Short:   "Detach an internet gateway from its VPC (routes to it turn blackhole)",
		Example: `  gwlbctl ec2 detach-internet-gateway --internet-gateway-id ` + exGateway + ` --vpc-id ` + exVpc,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "internet-gateway-id", "vpc-id"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DetachInternetGateway", true, (*control.State).DetachInternetGateway, opts.Input)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Input.InternetGatewayId, "internet-gateway-id", "", "internet gateway ID")
	fl.StringVar(&opts.Input.VpcId, "vpc-id", "", "VPC ID")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
