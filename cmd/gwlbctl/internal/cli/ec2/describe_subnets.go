package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// DescribeSubnetsOptions are the inputs of `ec2 describe-subnets`.
type DescribeSubnetsOptions struct {
	cmdutil.Op
	Input control.DescribeSubnetsInput
}

// NewCmdDescribeSubnets returns `ec2 describe-subnets`.
func NewCmdDescribeSubnets(f *cmdutil.Factory, runF func(*DescribeSubnetsOptions) error) *cobra.Command {
	opts := &DescribeSubnetsOptions{Op: f.Op()}
	var ids, filters []string
	cmd := &cobra.Command{
		Use:   "describe-subnets",
		Short: "List subnets",
		Example: `  gwlbctl ec2 describe-subnets --output table
  gwlbctl ec2 describe-subnets --filters Name=vpc-id,Values=` + exVpc + ` --query 'Subnets[].[SubnetId,AvailabilityZone]' --output text`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Input.SubnetIds, err = cmdutil.DecodeStrings(cmd.Flags(), "subnet-ids", ids); err != nil {
				return err
			}
			if err := cmdutil.DecodeList(cmd.Flags(), "filters", filters, &opts.Input.Filters); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DescribeSubnets", false, (*control.State).DescribeSubnets, opts.Input)
		},
	}
	cmdutil.ListFlag(cmd, &ids, "subnet-ids", "subnet IDs")
	cmdutil.ListFlag(cmd, &filters, "filters", filtersUsage)
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
