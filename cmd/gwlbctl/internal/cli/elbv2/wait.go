package elbv2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// NewCmdWait returns `elbv2 wait` with a subcommand per waiter of
// botocore's elbv2 waiters-2.json; each takes its operation's flags.
func NewCmdWait(f *cmdutil.Factory) *cobra.Command {
	lbs := func(o *DescribeLoadBalancersOptions) cmdutil.Poll {
		return cmdutil.PollOf(o.Op, "DescribeLoadBalancers", (*control.State).DescribeLoadBalancers, &o.Input)
	}
	health := func(o *DescribeTargetHealthOptions) cmdutil.Poll {
		return cmdutil.PollOf(o.Op, "DescribeTargetHealth", (*control.State).DescribeTargetHealth, &o.Input)
	}
	examples := map[string]string{
		"LoadBalancerAvailable": `  gwlbctl elbv2 wait load-balancer-available --names my-gwlb`,
		"LoadBalancerExists":    `  gwlbctl elbv2 wait load-balancer-exists --load-balancer-arns ` + exLB,
		"LoadBalancersDeleted":  `  gwlbctl elbv2 wait load-balancers-deleted --names old-gwlb`,
		"TargetInService":       `  gwlbctl elbv2 wait target-in-service --target-group-arn ` + exTG + ` --targets Id=10.0.1.10`,
		"TargetDeregistered":    `  gwlbctl elbv2 wait target-deregistered --target-group-arn ` + exTG + ` --targets Id=10.0.1.10`,
	}
	var cmds []*cobra.Command
	for _, w := range cmdutil.ELBv2Waiters {
		switch w.Operation {
		case "DescribeLoadBalancers":
			cmds = append(cmds, cmdutil.NewWaitCmd(f, w, NewCmdDescribeLoadBalancers, lbs, examples[w.Name]))
		case "DescribeTargetHealth":
			cmds = append(cmds, cmdutil.NewWaitCmd(f, w, NewCmdDescribeTargetHealth, health, examples[w.Name]))
		}
	}
	return cmdutil.NewWaitGroup(cmds...)
}
