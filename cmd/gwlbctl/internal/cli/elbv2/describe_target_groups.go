package elbv2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// DescribeTargetGroupsOptions are the inputs of `elbv2 describe-target-groups`.
type DescribeTargetGroupsOptions struct {
	cmdutil.Op
	Input control.DescribeTargetGroupsInput
}

// NewCmdDescribeTargetGroups returns `elbv2 describe-target-groups`.
func NewCmdDescribeTargetGroups(f *cmdutil.Factory, runF func(*DescribeTargetGroupsOptions) error) *cobra.Command {
	opts := &DescribeTargetGroupsOptions{Op: f.Op()}
	var arns, names []string
	cmd := &cobra.Command{
		Use:   "describe-target-groups",
		Short: "List target groups: all, by name or ARN, or those of a load balancer",
		Example: `  gwlbctl elbv2 describe-target-groups --output table
  gwlbctl elbv2 describe-target-groups --names my-appliances --query 'TargetGroups[0].TargetGroupArn' --output text
  gwlbctl elbv2 describe-target-groups --load-balancer-arn ` + exLB,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fs := cmd.Flags()
			var err error
			if opts.Input.TargetGroupArns, err = cmdutil.DecodeStrings(fs, "target-group-arns", arns); err != nil {
				return err
			}
			if opts.Input.Names, err = cmdutil.DecodeStrings(fs, "names", names); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DescribeTargetGroups", false, (*control.State).DescribeTargetGroups, opts.Input)
		},
	}
	cmd.Flags().StringVar(&opts.Input.LoadBalancerArn, "load-balancer-arn", "", "only the target groups of this load balancer")
	cmdutil.ListFlag(cmd, &arns, "target-group-arns", "target group ARNs")
	cmdutil.ListFlag(cmd, &names, "names", "target group names")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
