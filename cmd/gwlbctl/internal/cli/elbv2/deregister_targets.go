package elbv2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// DeregisterTargetsOptions are the inputs of `elbv2 deregister-targets`.
type DeregisterTargetsOptions struct {
	cmdutil.Op
	Input control.DeregisterTargetsInput
}

// NewCmdDeregisterTargets returns `elbv2 deregister-targets`.
func NewCmdDeregisterTargets(f *cmdutil.Factory, runF func(*DeregisterTargetsOptions) error) *cobra.Command {
	opts := &DeregisterTargetsOptions{Op: f.Op()}
	var targets []string
	cmd := &cobra.Command{
		Use:     "deregister-targets",
		Short:   "Deregister targets; they drain for deregistration_delay.timeout_seconds",
		Example: `  gwlbctl elbv2 deregister-targets --target-group-arn ` + exTG + ` --targets Id=10.0.2.10`,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "target-group-arn", "targets"); err != nil {
				return err
			}
			if err := cmdutil.DecodeList(cmd.Flags(), "targets", targets, &opts.Input.Targets); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DeregisterTargets", true, (*control.State).DeregisterTargets, opts.Input)
		},
	}
	cmd.Flags().StringVar(&opts.Input.TargetGroupArn, "target-group-arn", "", "target group ARN")
	cmdutil.ListFlag(cmd, &targets, "targets", "targets: Id=<instance id or IP> ...")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
