package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// CreateVpcEndpointOptions are the inputs of `ec2 create-vpc-endpoint`.
type CreateVpcEndpointOptions struct {
	cmdutil.Op
	Input control.CreateVpcEndpointInput
}

// NewCmdCreateVpcEndpoint returns `ec2 create-vpc-endpoint`.
func NewCmdCreateVpcEndpoint(f *cmdutil.Factory, runF func(*CreateVpcEndpointOptions) error) *cobra.Command {
	opts := &CreateVpcEndpointOptions{Op: f.Op()}
	var subnets, rts, sgs, specs []string
	cmd := &cobra.Command{
		Use:   "create-vpc-endpoint",
		Short: "Create a Gateway Load Balancer endpoint in one subnet",
		Long: `Creates a Gateway Load Balancer endpoint: --vpc-endpoint-type
GatewayLoadBalancer, the service's name, the consumer VPC and exactly one
subnet, in an availability zone the load balancer has. It is
pendingAcceptance until the service accepts it, unless the service needs no
acceptance.`,
		Example: `  gwlbctl ec2 create-vpc-endpoint --vpc-endpoint-type GatewayLoadBalancer \
    --service-name ` + exSvcName + ` \
    --vpc-id ` + exVpc + ` --subnet-ids ` + exSubnet + ` \
    --query VpcEndpoint.VpcEndpointId --output text`,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fs := cmd.Flags()
			if err := cmdutil.Require(cmd, "vpc-id", "service-name"); err != nil {
				return err
			}
			var err error
			if opts.Input.SubnetIds, err = cmdutil.DecodeStrings(fs, "subnet-ids", subnets); err != nil {
				return err
			}
			if opts.Input.RouteTableIds, err = cmdutil.DecodeStrings(fs, "route-table-ids", rts); err != nil {
				return err
			}
			if opts.Input.SecurityGroupIds, err = cmdutil.DecodeStrings(fs, "security-group-ids", sgs); err != nil {
				return err
			}
			if err := cmdutil.DecodeList(fs, "tag-specifications", specs, &opts.Input.TagSpecifications); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "CreateVpcEndpoint", true, (*control.State).CreateVpcEndpoint, opts.Input)
		},
	}
	fl := cmd.Flags()
	cmdutil.EnumFlag(cmd, &opts.Input.VpcEndpointType, "vpc-endpoint-type", "", "endpoint type", control.VpcEndpointTypes...)
	fl.StringVar(&opts.Input.VpcId, "vpc-id", "", "consumer VPC ID")
	fl.StringVar(&opts.Input.ServiceName, "service-name", "", "endpoint service name, com.amazonaws.vpce.<region>.vpce-svc-...")
	cmdutil.ListFlag(cmd, &subnets, "subnet-ids", "exactly one subnet ID")
	cmdutil.ListFlag(cmd, &rts, "route-table-ids", "not used by Gateway Load Balancer endpoints")
	cmdutil.ListFlag(cmd, &sgs, "security-group-ids", "not used by Gateway Load Balancer endpoints")
	cmdutil.BoolPairFlag(cmd, &opts.Input.PrivateDnsEnabled, "private-dns-enabled", "not used by Gateway Load Balancer endpoints")
	cmdutil.EnumFlag(cmd, &opts.Input.IpAddressType, "ip-address-type", "", "IP address type, one the service supports (default ipv4)", control.EndpointIPAddressTypes...)
	fl.StringVar(&opts.Input.ClientToken, "client-token", "", "idempotency token")
	cmdutil.ListFlag(cmd, &specs, "tag-specifications", "ResourceType=vpc-endpoint,Tags=[{Key=k,Value=v}]")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
