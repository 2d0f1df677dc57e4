// Package elbv2 holds `gwlbctl elbv2`: the Elastic Load Balancing v2 verbs
// of the AWS CLI for gateway load balancers, GENEVE target groups, targets,
// listeners, attributes and tags. One file per verb; each verb has an
// Options struct and a NewCmdX(f, runF) constructor.
package elbv2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
)

// NewCmdELBv2 returns the `elbv2` command group.
func NewCmdELBv2(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.NewGroup("elbv2", "Gateway load balancers, target groups, targets and listeners (aws elbv2)",
		`The AWS CLI's elbv2 operations for Gateway Load Balancers, run against
gwlbctl's state file. Flags, shorthand (Key=Value,...), JSON parameters,
file:// and the JSON responses are those of 'aws elbv2'.`,
		NewCmdCreateLoadBalancer(f, nil),
		NewCmdDescribeLoadBalancers(f, nil),
		NewCmdDeleteLoadBalancer(f, nil),
		NewCmdDescribeLoadBalancerAttributes(f, nil),
		NewCmdModifyLoadBalancerAttributes(f, nil),
		NewCmdCreateTargetGroup(f, nil),
		NewCmdDescribeTargetGroups(f, nil),
		NewCmdModifyTargetGroup(f, nil),
		NewCmdDeleteTargetGroup(f, nil),
		NewCmdDescribeTargetGroupAttributes(f, nil),
		NewCmdModifyTargetGroupAttributes(f, nil),
		NewCmdRegisterTargets(f, nil),
		NewCmdDeregisterTargets(f, nil),
		NewCmdDescribeTargetHealth(f, nil),
		NewCmdCreateListener(f, nil),
		NewCmdDescribeListeners(f, nil),
		NewCmdModifyListener(f, nil),
		NewCmdDeleteListener(f, nil),
		NewCmdDescribeListenerAttributes(f, nil),
		NewCmdModifyListenerAttributes(f, nil),
		NewCmdAddTags(f, nil),
		NewCmdRemoveTags(f, nil),
		NewCmdDescribeTags(f, nil),
		NewCmdWait(f),
	)
}

// Example ARNs used in help text; they have the exact AWS format.
const (
	exLB       = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/gwy/my-gwlb/0123456789abcdef"
	exTG       = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/my-appliances/0123456789abcdef"
	exListener = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/gwy/my-gwlb/0123456789abcdef/fedcba9876543210"
)
