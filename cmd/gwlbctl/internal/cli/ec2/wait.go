package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// NewCmdWait returns `ec2 wait` with a subcommand per waiter that
// botocore's ec2 waiters-2.json defines for the resources gwlbctl has;
// each takes its operation's flags.
func NewCmdWait(f *cmdutil.Factory) *cobra.Command {
	vpcs := func(o *DescribeVpcsOptions) cmdutil.Poll {
		return cmdutil.PollOf(o.Op, "DescribeVpcs", (*control.State).DescribeVpcs, &o.Input)
	}
	subnets := func(o *DescribeSubnetsOptions) cmdutil.Poll {
		return cmdutil.PollOf(o.Op, "DescribeSubnets", (*control.State).DescribeSubnets, &o.Input)
	}
	igws := func(o *DescribeInternetGatewaysOptions) cmdutil.Poll {
		return cmdutil.PollOf(o.Op, "DescribeInternetGateways", (*control.State).DescribeInternetGateways, &o.Input)
	}
	examples := map[string]string{
		"InternetGatewayExists": `  gwlbctl ec2 wait internet-gateway-exists --filters Name=attachment.vpc-id,Values=` + exVpc,
		"SubnetAvailable":       `  gwlbctl ec2 wait subnet-available --filters Name=vpc-id,Values=` + exVpc,
		"VpcAvailable":          `  gwlbctl ec2 wait vpc-available --filters Name=cidr,Values=10.0.0.0/16`,
		"VpcExists":             `  gwlbctl ec2 wait vpc-exists --filters Name=cidr,Values=10.0.0.0/16`,
	}
	var cmds []*cobra.Command
	for _, w := range cmdutil.EC2Waiters {
		switch w.Operation {
		case "DescribeVpcs":
			cmds = append(cmds, cmdutil.NewWaitCmd(f, w, NewCmdDescribeVpcs, vpcs, examples[w.Name]))
		case "DescribeSubnets":
			cmds = append(cmds, cmdutil.NewWaitCmd(f, w, NewCmdDescribeSubnets, subnets, examples[w.Name]))
		case "DescribeInternetGateways":
			cmds = append(cmds, cmdutil.NewWaitCmd(f, w, NewCmdDescribeInternetGateways, igws, examples[w.Name]))
		}
	}
	return cmdutil.NewWaitGroup(cmds...)
}
