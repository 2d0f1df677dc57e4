package elbv2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// DeleteTargetGroupOptions are the inputs of `elbv2 delete-target-group`.
type DeleteTargetGroupOptions struct {
	cmdutil.Op
	Input control.DeleteTargetGroupInput
}

// NewCmdDeleteTargetGroup returns `elbv2 delete-target-group`.
func NewCmdDeleteTargetGroup(f *cmdutil.Factory, runF func(*DeleteTargetGroupOptions) error) *cobra.Command {
	opts := &DeleteTargetGroupOptions{Op: f.Op()}
	cmd := &cobra.Command{
		Use:     "delete-target-group",
		Short:   "Delete a target group no listener uses (else ResourceInUse)",
		Example: `  gwlbctl elbv2 delete-target-group --target-group-arn ` + exTG,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "target-group-arn"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DeleteTargetGroup", true, (*control.State).DeleteTargetGroup, opts.Input)
		},
	}
	cmd.Flags().StringVar(&opts.Input.TargetGroupArn, "target-group-arn", "", "target group ARN")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
