package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// DescribeVpcsOptions are the inputs of `ec2 describe-vpcs`.
type DescribeVpcsOptions struct {
	cmdutil.Op
	Input control.DescribeVpcsInput
}

// NewCmdDescribeVpcs returns `ec2 describe-vpcs`.
func NewCmdDescribeVpcs(f *cmdutil.Factory, runF func(*DescribeVpcsOptions) error) *cobra.Command {
	opts := &DescribeVpcsOptions{Op: f.Op()}
	var ids, filters []string
	cmd := &cobra.Command{
		Use:   "describe-vpcs",
		Short: "List VPCs",
		Example: `  gwlbctl ec2 describe-vpcs --output table
  gwlbctl ec2 describe-vpcs --filters Name=cidr,Values=10.0.0.0/16 --query 'Vpcs[].VpcId' --output text`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Input.VpcIds, err = cmdutil.DecodeStrings(cmd.Flags(), "vpc-ids", ids); err != nil {
				return err
			}
			if err := cmdutil.DecodeList(cmd.Flags(), "filters", filters, &opts.Input.Filters); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DescribeVpcs", false, (*control.State).DescribeVpcs, opts.Input)
		},
	}
	cmdutil.ListFlag(cmd, &ids, "vpc-ids", "VPC IDs")
	cmdutil.ListFlag(cmd, &filters, "filters", filtersUsage)
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
