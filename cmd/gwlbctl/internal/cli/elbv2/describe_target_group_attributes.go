package elbv2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// DescribeTargetGroupAttributesOptions are the inputs of
// `elbv2 describe-target-group-attributes`.
type DescribeTargetGroupAttributesOptions struct {
	cmdutil.Op
	Input control.DescribeTargetGroupAttributesInput
}

// NewCmdDescribeTargetGroupAttributes returns `elbv2 describe-target-group-attributes`.
func NewCmdDescribeTargetGroupAttributes(f *cmdutil.Factory, runF func(*DescribeTargetGroupAttributesOptions) error) *cobra.Command {
	opts := &DescribeTargetGroupAttributesOptions{Op: f.Op()}
	cmd := &cobra.Command{
		Use:     "describe-target-group-attributes",
		Short:   "Show a target group's attributes (stickiness, failover, deregistration delay)",
		Example: `  gwlbctl elbv2 describe-target-group-attributes --target-group-arn ` + exTG + ` --output table`,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "target-group-arn"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DescribeTargetGroupAttributes", false, (*control.State).DescribeTargetGroupAttributes, opts.Input)
		},
	}
	cmd.Flags().StringVar(&opts.Input.TargetGroupArn, "target-group-arn", "", "target group ARN")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
