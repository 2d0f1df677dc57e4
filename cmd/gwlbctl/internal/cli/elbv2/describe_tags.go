package elbv2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// DescribeTagsOptions are the inputs of `elbv2 describe-tags`.
type DescribeTagsOptions struct {
	cmdutil.Op
	Input control.DescribeTagsInput
}

// NewCmdDescribeTags returns `elbv2 describe-tags`.
func NewCmdDescribeTags(f *cmdutil.Factory, runF func(*DescribeTagsOptions) error) *cobra.Command {
	opts := &DescribeTagsOptions{Op: f.Op()}
	var arns []string
	cmd := &cobra.Command{
		Use:     "describe-tags",
		Short:   "Show the tags of load balancers, target groups or listeners",
		Example: `  gwlbctl elbv2 describe-tags --resource-arns ` + exLB + ` ` + exTG,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "resource-arns"); err != nil {
				return err
			}
			var err error
			if opts.Input.ResourceArns, err = cmdutil.DecodeStrings(cmd.Flags(), "resource-arns", arns); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DescribeTags", false, (*control.State).DescribeTags, opts.Input)
		},
	}
	cmdutil.ListFlag(cmd, &arns, "resource-arns", "ARNs of the resources")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
