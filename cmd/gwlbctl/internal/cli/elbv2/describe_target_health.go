package elbv2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// DescribeTargetHealthOptions are the inputs of `elbv2 describe-target-health`.
type DescribeTargetHealthOptions struct {
	cmdutil.Op
	Input control.DescribeTargetHealthInput
	// ShowRecorded (gwlbctl only) prints each node's recorded view
	// instead of AWS's response (recorded_health.go).
	ShowRecorded bool
}

// NewCmdDescribeTargetHealth returns `elbv2 describe-target-health`.
func NewCmdDescribeTargetHealth(f *cmdutil.Factory, runF func(*DescribeTargetHealthOptions) error) *cobra.Command {
	opts := &DescribeTargetHealthOptions{Op: f.Op()}
	var targets []string
	cmd := &cobra.Command{
		Use:   "describe-target-health",
		Short: "Show the health state and reason code of each target",
		Example: `  gwlbctl elbv2 describe-target-health --target-group-arn ` + exTG + ` --output table
  gwlbctl elbv2 describe-target-health --target-group-arn ` + exTG + ` \
    --query 'TargetHealthDescriptions[].[Target.Id,TargetHealth.State,TargetHealth.Reason]' --output text
  gwlbctl elbv2 describe-target-health --target-group-arn ` + exTG + ` --show-recorded --output table`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "target-group-arn"); err != nil {
				return err
			}
			if err := cmdutil.DecodeList(cmd.Flags(), "targets", targets, &opts.Input.Targets); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			if opts.ShowRecorded {
				return cmdutil.Run(cmd.Context(), opts.Op, "DescribeTargetHealth", false, describeRecordedHealth, opts.Input)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DescribeTargetHealth", false, (*control.State).DescribeTargetHealth, opts.Input)
		},
	}
	cmd.Flags().StringVar(&opts.Input.TargetGroupArn, "target-group-arn", "", "target group ARN")
	cmdutil.ListFlag(cmd, &targets, "targets", "only these targets: Id=... ...")
	cmd.Flags().BoolVar(&opts.ShowRecorded, "show-recorded", false,
		"gwlbctl only: instead of AWS's response, each target's health with every node's recorded view (node, state, when, age), to tell live health from the last recorded")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
