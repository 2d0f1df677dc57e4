package elbv2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// CreateLoadBalancerOptions are the inputs of `elbv2 create-load-balancer`.
type CreateLoadBalancerOptions struct {
	cmdutil.Op
	Input control.CreateLoadBalancerInput
}

// NewCmdCreateLoadBalancer returns `elbv2 create-load-balancer`.
func NewCmdCreateLoadBalancer(f *cmdutil.Factory, runF func(*CreateLoadBalancerOptions) error) *cobra.Command {
	opts := &CreateLoadBalancerOptions{Op: f.Op()}
	var subnets, mappings, sgs, tags []string
	cmd := &cobra.Command{
		Use:   "create-load-balancer",
		Short: "Create a gateway load balancer in one subnet per availability zone",
		Long: `Creates a Gateway Load Balancer. Give one subnet per availability zone, all
in one VPC. The same request for an existing name with the same subnets
returns the existing load balancer (creates are idempotent, as on AWS).`,
		Example: `  gwlbctl elbv2 create-load-balancer --name my-gwlb --type gateway \
    --subnets subnet-0123456789abcdef0 subnet-0123456789abcdef1

  gwlbctl elbv2 create-load-balancer --name my-gwlb --type gateway \
    --subnets subnet-0123456789abcdef0 --tags Key=env,Value=lab \
    --query 'LoadBalancers[0].LoadBalancerArn' --output text`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fs := cmd.Flags()
			if err := cmdutil.Require(cmd, "name"); err != nil {
				return err
			}
			var err error
			if opts.Input.Subnets, err = cmdutil.DecodeStrings(fs, "subnets", subnets); err != nil {
				return err
			}
			if opts.Input.SecurityGroups, err = cmdutil.DecodeStrings(fs, "security-groups", sgs); err != nil {
				return err
			}
			if err := cmdutil.DecodeList(fs, "subnet-mappings", mappings, &opts.Input.SubnetMappings); err != nil {
				return err
			}
			if err := cmdutil.DecodeList(fs, "tags", tags, &opts.Input.Tags); err != nil {
				return err
			}
			if len(opts.Input.Subnets) == 0 && len(opts.Input.SubnetMappings) == 0 {
				return cmdutil.FlagErrorf("one of --subnets or --subnet-mappings is required")
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "CreateLoadBalancer", true, (*control.State).CreateLoadBalancer, opts.Input)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Input.Name, "name", "", "load balancer name: 1-32 letters, digits and hyphens")
	cmdutil.ListFlag(cmd, &subnets, "subnets", "subnet IDs, one per availability zone (space-separated)")
	cmdutil.ListFlag(cmd, &mappings, "subnet-mappings", "subnets as SubnetId=subnet-... structures")
	cmdutil.ListFlag(cmd, &sgs, "security-groups", "security groups (gateway load balancers have none; must be empty)")
	fl.StringVar(&opts.Input.Scheme, "scheme", "", "not used by gateway load balancers (must not be given)")
	cmdutil.ListFlag(cmd, &tags, "tags", "tags: Key=k,Value=v ...")
	cmdutil.EnumFlag(cmd, &opts.Input.Type, "type", "", "load balancer type (default gateway)", control.LoadBalancerTypes...)
	cmdutil.EnumFlag(cmd, &opts.Input.IpAddressType, "ip-address-type", "", "IP address type (default ipv4)", control.LoadBalancerIPAddressTypes...)
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
