package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// CreateVpcOptions are the inputs of `ec2 create-vpc`.
type CreateVpcOptions struct {
	cmdutil.Op
	Input control.CreateVpcInput
}

// NewCmdCreateVpc returns `ec2 create-vpc`.
func NewCmdCreateVpc(f *cmdutil.Factory, runF func(*CreateVpcOptions) error) *cobra.Command {
	opts := &CreateVpcOptions{Op: f.Op()}
	var specs []string
	cmd := &cobra.Command{
		Use:   "create-vpc",
		Short: "Create a VPC (an IPv4 CIDR block, /16 to /28)",
		Example: `  gwlbctl ec2 create-vpc --cidr-block 10.0.0.0/16 --query Vpc.VpcId --output text
  gwlbctl ec2 create-vpc --cidr-block 10.0.0.0/16 \
    --tag-specifications 'ResourceType=vpc,Tags=[{Key=Name,Value=provider}]'`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "cidr-block"); err != nil {
				return err
			}
			if err := cmdutil.DecodeList(cmd.Flags(), "tag-specifications", specs, &opts.Input.TagSpecifications); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "CreateVpc", true, (*control.State).CreateVpc, opts.Input)
		},
	}
	cmd.Flags().StringVar(&opts.Input.CidrBlock, "cidr-block", "", "IPv4 CIDR block, e.g. 10.0.0.0/16")
	cmd.Flags().StringVar(&opts.Input.InstanceTenancy, "instance-tenancy", "", "default")
	cmdutil.ListFlag(cmd, &specs, "tag-specifications", "ResourceType=vpc,Tags=[{Key=k,Value=v}]")
	return cmd
}

// DescribeVpcsOptions are the inputs of `ec2 describe-vpcs`.
type DescribeVpcsOptions struct {
	cmdutil.Op
	Input control.DescribeVpcsInput
}

// NewCmdDescribeVpcs returns `ec2 describe-vpcs`.
func NewCmdDescribeVpcs(f *cmdutil.Factory, runF func(*DescribeVpcsOptions) error) *cobra.Command {
	opts := &DescribeVpcsOptions{Op: f.Op()}
	var ids, filters []string
	cmd := &cobra.Command{
		Use:   "describe-vpcs",
		Short: "List VPCs",
		Example: `  gwlbctl ec2 describe-vpcs --output table
  gwlbctl ec2 describe-vpcs --filters Name=cidr,Values=10.0.0.0/16 --query 'Vpcs[].VpcId' --output text`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if opts.Input.VpcIds, err = cmdutil.DecodeStrings(cmd.Flags(), "vpc-ids", ids); err != nil {
				return err
			}
			if err := cmdutil.DecodeList(cmd.Flags(), "filters", filters, &opts.Input.Filters); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DescribeVpcs", false, (*control.State).DescribeVpcs, opts.Input)
		},
	}
	cmdutil.ListFlag(cmd, &ids, "vpc-ids", "VPC IDs")
	cmdutil.ListFlag(cmd, &filters, "filters", filtersUsage)
	return cmd
}

// DeleteVpcOptions are the inputs of `ec2 delete-vpc`.
type DeleteVpcOptions struct {
	cmdutil.Op
	Input control.DeleteVpcInput
}

// NewCmdDeleteVpc returns `ec2 delete-vpc`.
func NewCmdDeleteVpc(f *cmdutil.Factory, runF func(*DeleteVpcOptions) error) *cobra.Command {
	opts := &DeleteVpcOptions{Op: f.Op()}
	cmd := &cobra.Command{
		Use:     "delete-vpc",
		Short:   "Delete a VPC with no subnets, target groups or endpoints",
		Example: `  gwlbctl ec2 delete-vpc --vpc-id ` + exVpc,
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "vpc-id"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "DeleteVpc", true, (*control.State).DeleteVpc, opts.Input)
		},
	}
	cmd.Flags().StringVar(&opts.Input.VpcId, "vpc-id", "", "VPC ID")
	return cmd
}
