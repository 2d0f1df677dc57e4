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
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
