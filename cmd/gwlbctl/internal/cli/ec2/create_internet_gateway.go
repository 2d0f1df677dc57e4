package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// CreateInternetGatewayOptions are the inputs of `ec2 create-internet-gateway`.
type CreateInternetGatewayOptions struct {
	cmdutil.Op
	Input control.CreateInternetGatewayInput
}

// NewCmdCreateInternetGateway returns `ec2 create-internet-gateway`.
func NewCmdCreateInternetGateway(f *cmdutil.Factory, runF func(*CreateInternetGatewayOptions) error) *cobra.Command {
	opts := &CreateInternetGatewayOptions{Op: f.Op()}
	var tag_specifications []string
	cmd := &cobra.Command{
		Use:     "create-internet-gateway",
		Short:   "Create an internet gateway (attach it with attach-internet-gateway)",
		Example: `  gwlbctl ec2 create-internet-gateway --query InternetGateway.InternetGatewayId --output text`,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.DecodeList(cmd.Flags(), "tag-specifications", tag_specifications, &opts.Input.TagSpecifications); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "CreateInternetGateway", true, (*control.State).CreateInternetGateway, opts.Input)
		},
	}
	cmdutil.ListFlag(cmd, &tag_specifications, "tag-specifications", "ResourceType=internet-gateway,Tags=[{Key=k,Value=v}]")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
