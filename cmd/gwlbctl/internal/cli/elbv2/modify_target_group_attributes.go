package elbv2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// ModifyTargetGroupAttributesOptions are the inputs of
// `elbv2 modify-target-group-attributes`.
type ModifyTargetGroupAttributesOptions struct {
	cmdutil.Op
	Input control.ModifyTargetGroupAttributesInput
}

// NewCmdModifyTargetGroupAttributes returns `elbv2 modify-target-group-attributes`.
func NewCmdModifyTargetGroupAttributes(f *cmdutil.Factory, runF func(*ModifyTargetGroupAttributesOptions) error) *cobra.Command {
	opts := &ModifyTargetGroupAttributesOptions{Op: f.Op()}
	var attrs []string
	cmd := &cobra.Command{
		Use:   "modify-target-group-attributes",
		Short: "Set target group attributes",
		Long: `Sets target group attributes and prints all of them. GENEVE target group
attributes: stickiness.enabled, stickiness.type (source_ip_dest_ip_proto |
source_ip_dest_ip), target_failover.on_deregistration and
target_failover.on_unhealthy (no_rebalance | rebalance, both the same),
deregistration_delay.timeout_seconds (0-3600, default 300).`,
		Example: `  gwlbctl elbv2 modify-target-group-attributes --target-group-arn ` + exTG + ` \
    --attributes Key=stickiness.enabled,Value=true Key=stickiness.type,Value=source_ip_dest_ip

  gwlbctl elbv2 modify-target-group-attributes --target-group-arn ` + exTG + ` \
    --attributes Key=target_failover.on_deregistration,Value=rebalance Key=target_failover.on_unhealthy,Value=rebalance`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "target-group-arn", "attributes"); err != nil {
				return err
			}
			if err := cmdutil.DecodeList(cmd.Flags(), "attributes", attrs, &opts.Input.Attributes); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "ModifyTargetGroupAttributes", true, (*control.State).ModifyTargetGroupAttributes, opts.Input)
		},
	}
	cmd.Flags().StringVar(&opts.Input.TargetGroupArn, "target-group-arn", "", "target group ARN")
	cmdutil.ListFlag(cmd, &attrs, "attributes", "attributes: Key=name,Value=value ...")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
