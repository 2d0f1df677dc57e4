package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// DescribeInternetGatewaysOptions are the inputs of `ec2 describe-internet-gateways`.
type DescribeInternetGatewaysOptions struct {
	cmdutil.Op
	Input control.DescribeInternetGatewaysInput
}

// NewCmdDescribeInternetGateways returns `ec2 describe-internet-gateways`.
func NewCmdDescribeInternetGateways(f *cmdutil.Factory, runF func(*DescribeInternetGatewaysOptions) error) *cobra.Command {
	opts := &DescribeInternetGatewaysOptions{Op: f.Op()}
	var internet_gateway_ids, filters []string
	cmd := &cobra.Command{
		Use:     "describe-internet-gateways",
		Short:   "List internet gateways and their attachments",
		Example: `  gwlbctl ec2 describe-internet-gateways --filters Name=attachment.vpc-id,Values=` + exVpc + ` --query 'InternetGateways[0].InternetGatewayId' --output text`,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Input.InternetGatewayIds, err = cmdutil.DecodeStrings(cmd.Flags(), "internet-gateway-ids", internet_gateway_ids); err != nil {
				return err
			}
			if err := cmdutil.DecodeList(cmd.Flags(), "filters", filters, &opts.Input.Filters); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DescribeInternetGateways", false, (*control.State).DescribeInternetGateways, opts.Input)
		},
	}
	cmdutil.ListFlag(cmd, &internet_gateway_ids, "internet-gateway-ids", "internet gateway IDs")
	cmdutil.ListFlag(cmd, &filters, "filters", "filters: Name=<filter>,Values=v1,v2 ... (internet-gateway-id, attachment.vpc-id, attachment.state, owner-id, tag:<key>, ...)")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
