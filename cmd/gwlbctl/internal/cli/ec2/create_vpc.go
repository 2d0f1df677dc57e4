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
	cmdutil.EnumFlag(cmd, &opts.Input.InstanceTenancy, "instance-tenancy", "", "tenancy of instances in the VPC (default default)", control.InstanceTenancies...)
	cmdutil.ListFlag(cmd, &specs, "tag-specifications", "ResourceType=vpc,Tags=[{Key=k,Value=v}]")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
