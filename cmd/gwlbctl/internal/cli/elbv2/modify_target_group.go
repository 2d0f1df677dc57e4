package elbv2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// ModifyTargetGroupOptions are the inputs of `elbv2 modify-target-group`.
type ModifyTargetGroupOptions struct {
	cmdutil.Op
	Input control.ModifyTargetGroupInput
}

// NewCmdModifyTargetGroup returns `elbv2 modify-target-group`.
func NewCmdModifyTargetGroup(f *cmdutil.Factory, runF func(*ModifyTargetGroupOptions) error) *cobra.Command {
	opts := &ModifyTargetGroupOptions{Op: f.Op()}
	var hc healthCheckFlags
	cmd := &cobra.Command{
		Use:   "modify-target-group",
		Short: "Change a target group's health check settings",
		Example: `  gwlbctl elbv2 modify-target-group --target-group-arn ` + exTG + ` \
    --health-check-protocol TCP --health-check-port 8080 --health-check-interval-seconds 5 \
    --health-check-timeout-seconds 2 --healthy-threshold-count 2`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "target-group-arn"); err != nil {
				return err
			}
			if err := hc.parse(cmd); err != nil {
				return err
			}
			in := &opts.Input
			in.HealthCheckProtocol, in.HealthCheckPort, in.HealthCheckPath = hc.Protocol, hc.Port, hc.Path
			in.HealthCheckEnabled, in.Matcher = hc.Enabled, hc.Matcher
			in.HealthCheckIntervalSeconds, in.HealthCheckTimeoutSeconds = hc.Interval, hc.Timeout
			in.HealthyThresholdCount, in.UnhealthyThresholdCount = hc.HealthyCount, hc.Unhealthy
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "ModifyTargetGroup", true, (*control.State).ModifyTargetGroup, opts.Input)
		},
	}
	cmd.Flags().StringVar(&opts.Input.TargetGroupArn, "target-group-arn", "", "target group ARN")
	hc.add(cmd)
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
