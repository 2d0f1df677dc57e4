package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// DescribeTagsOptions are the inputs of `ec2 describe-tags`.
type DescribeTagsOptions struct {
	cmdutil.Op
	Input control.DescribeTagsEC2Input
}

// NewCmdDescribeTags returns `ec2 describe-tags`.
func NewCmdDescribeTags(f *cmdutil.Factory, runF func(*DescribeTagsOptions) error) *cobra.Command {
	opts := &DescribeTagsOptions{Op: f.Op()}
	var filters []string
	cmd := &cobra.Command{
		Use:     "describe-tags",
		Short:   "List EC2 tags",
		Example: `  gwlbctl ec2 describe-tags --filters Name=resource-id,Values=` + exVpc,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.DecodeList(cmd.Flags(), "filters", filters, &opts.Input.Filters); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DescribeTags", false, (*control.State).DescribeTagsEC2, opts.Input)
		},
	}
	cmdutil.ListFlag(cmd, &filters, "filters", filtersUsage)
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
