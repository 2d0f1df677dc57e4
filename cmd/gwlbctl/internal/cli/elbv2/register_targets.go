package elbv2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// RegisterTargetsOptions are the inputs of `elbv2 register-targets`.
type RegisterTargetsOptions struct {
	cmdutil.Op
	Input control.RegisterTargetsInput
}

// NewCmdRegisterTargets returns `elbv2 register-targets`.
func NewCmdRegisterTargets(f *cmdutil.Factory, runF func(*RegisterTargetsOptions) error) *cobra.Command {
	opts := &RegisterTargetsOptions{Op: f.Op()}
	var targets []string
	cmd := &cobra.Command{
		Use:   "register-targets",
		Short: "Register appliances (instances or IP addresses) with a target group",
		Long: `Registers targets with a target group. Instance targets are i-... ids; ip
targets are IPv4 addresses, with AvailabilityZone when the address is not in
a subnet of the target group's VPC.`,
		Example: `  gwlbctl elbv2 register-targets --target-group-arn ` + exTG + ` \
    --targets Id=10.0.1.10 Id=10.0.2.10

  gwlbctl elbv2 register-targets --target-group-arn ` + exTG + ` \
    --targets Id=10.0.1.10,AvailabilityZone=us-east-1a Id=10.0.2.10,AvailabilityZone=us-east-1b

  gwlbctl elbv2 register-targets --target-group-arn ` + exTG + ` --targets '[{"Id":"10.0.1.11"}]'`,
		Args: cmdutil.NoArgs,
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
			return cmdutil.Run(cmd.Context(), opts.Op, "RegisterTargets", true, (*control.State).RegisterTargets, opts.Input)
		},
	}
	cmd.Flags().StringVar(&opts.Input.TargetGroupArn, "target-group-arn", "", "target group ARN")
	cmdutil.ListFlag(cmd, &targets, "targets", "targets: Id=<instance id or IP>[,Port=6081][,AvailabilityZone=zone] ...")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
