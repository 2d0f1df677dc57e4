package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// CreateSubnetOptions are the inputs of `ec2 create-subnet`.
type CreateSubnetOptions struct {
	cmdutil.Op
	Input control.CreateSubnetInput
}

// NewCmdCreateSubnet returns `ec2 create-subnet`.
func NewCmdCreateSubnet(f *cmdutil.Factory, runF func(*CreateSubnetOptions) error) *cobra.Command {
	opts := &CreateSubnetOptions{Op: f.Op()}
	var specs []string
	cmd := &cobra.Command{
		Use:   "create-subnet",
		Short: "Create a subnet of a VPC in one availability zone",
		Example: `  gwlbctl ec2 create-subnet --vpc-id ` + exVpc + ` --cidr-block 10.0.1.0/24 \
    --availability-zone us-east-1a --query Subnet.SubnetId --output text`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "vpc-id", "cidr-block"); err != nil {
				return err
			}
			if err := cmdutil.DecodeList(cmd.Flags(), "tag-specifications", specs, &opts.Input.TagSpecifications); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "CreateSubnet", true, (*control.State).CreateSubnet, opts.Input)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Input.VpcId, "vpc-id", "", "VPC ID")
	fl.StringVar(&opts.Input.CidrBlock, "cidr-block", "", "IPv4 CIDR block inside the VPC's")
	fl.StringVar(&opts.Input.AvailabilityZone, "availability-zone", "", "availability zone, e.g. us-east-1a")
	fl.StringVar(&opts.Input.AvailabilityZoneId, "availability-zone-id", "", "availability zone id, e.g. use1-az1")
	cmdutil.ListFlag(cmd, &specs, "tag-specifications", "ResourceType=subnet,Tags=[{Key=k,Value=v}]")
	return cmd
}

// DescribeSubnetsOptions are the inputs of `ec2 describe-subnets`.
type DescribeSubnetsOptions struct {
	cmdutil.Op
	Input control.DescribeSubnetsInput
}

// NewCmdDescribeSubnets returns `ec2 describe-subnets`.
func NewCmdDescribeSubnets(f *cmdutil.Factory, runF func(*DescribeSubnetsOptions) error) *cobra.Command {
	opts := &DescribeSubnetsOptions{Op: f.Op()}
	var ids, filters []string
	cmd := &cobra.Command{
		Use:   "describe-subnets",
		Short: "List subnets",
		Example: `  gwlbctl ec2 describe-subnets --output table
  gwlbctl ec2 describe-subnets --filters Name=vpc-id,Values=` + exVpc + ` --query 'Subnets[].[SubnetId,AvailabilityZone]' --output text`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Input.SubnetIds, err = cmdutil.DecodeStrings(cmd.Flags(), "subnet-ids", ids); err != nil {
				return err
			}
			if err := cmdutil.DecodeList(cmd.Flags(), "filters", filters, &opts.Input.Filters); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DescribeSubnets", false, (*control.State).DescribeSubnets, opts.Input)
		},
	}
	cmdutil.ListFlag(cmd, &ids, "subnet-ids", "subnet IDs")
	cmdutil.ListFlag(cmd, &filters, "filters", filtersUsage)
	return cmd
}

// DeleteSubnetOptions are the inputs of `ec2 delete-subnet`.
type DeleteSubnetOptions struct {
	cmdutil.Op
	Input control.DeleteSubnetInput
}

// NewCmdDeleteSubnet returns `ec2 delete-subnet`.
func NewCmdDeleteSubnet(f *cmdutil.Factory, runF func(*DeleteSubnetOptions) error) *cobra.Command {
	opts := &DeleteSubnetOptions{Op: f.Op()}
	cmd := &cobra.Command{
		Use:     "delete-subnet",
		Short:   "Delete a subnet no load balancer or endpoint uses",
		Example: `  gwlbctl ec2 delete-subnet --subnet-id ` + exSubnet,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "subnet-id"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DeleteSubnet", true, (*control.State).DeleteSubnet, opts.Input)
		},
	}
	cmd.Flags().StringVar(&opts.Input.SubnetId, "subnet-id", "", "subnet ID")
	return cmd
}
