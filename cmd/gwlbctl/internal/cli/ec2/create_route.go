package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// CreateRouteOptions are the inputs of `ec2 create-route`.
type CreateRouteOptions struct {
	cmdutil.Op
	Input control.CreateRouteInput
}

// NewCmdCreateRoute returns `ec2 create-route`.
func NewCmdCreateRoute(f *cmdutil.Factory, runF func(*CreateRouteOptions) error) *cobra.Command {
	opts := &CreateRouteOptions{Op: f.Op()}
	cmd := &cobra.Command{
		Use:   "create-route",
		Short: "Add a route to a Gateway Load Balancer endpoint or an internet gateway",
		Example: `  gwlbctl ec2 create-route --route-table-id ` + exRouteTable + ` --destination-cidr-block 0.0.0.0/0 \
    --vpc-endpoint-id ` + exEndpoint + `
  gwlbctl ec2 create-route --route-table-id ` + exRouteTable + ` --destination-cidr-block 0.0.0.0/0 --gateway-id ` + exGateway,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "route-table-id"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "CreateRoute", true, (*control.State).CreateRoute, opts.Input)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Input.RouteTableId, "route-table-id", "", "route table ID")
	fl.StringVar(&opts.Input.DestinationCidrBlock, "destination-cidr-block", "", "the route's IPv4 destination, e.g. 0.0.0.0/0")
	fl.StringVar(&opts.Input.DestinationIpv6CidrBlock, "destination-ipv6-cidr-block", "", "not supported: gwlbctl routes IPv4 destinations")
	fl.StringVar(&opts.Input.DestinationPrefixListId, "destination-prefix-list-id", "", "not supported: gwlbctl routes IPv4 destinations")
	fl.StringVar(&opts.Input.VpcEndpointId, "vpc-endpoint-id", "", "target: a Gateway Load Balancer endpoint (vpce-...)")
	fl.StringVar(&opts.Input.GatewayId, "gateway-id", "", "target: an internet gateway attached to the VPC (igw-...)")
	fl.StringVar(&opts.Input.InstanceId, "instance-id", "", "not supported by gwlbctl")
	fl.StringVar(&opts.Input.NatGatewayId, "nat-gateway-id", "", "not supported by gwlbctl")
	fl.StringVar(&opts.Input.TransitGatewayId, "transit-gateway-id", "", "not supported by gwlbctl")
	fl.StringVar(&opts.Input.NetworkInterfaceId, "network-interface-id", "", "not supported by gwlbctl")
	fl.StringVar(&opts.Input.VpcPeeringConnectionId, "vpc-peering-connection-id", "", "not supported by gwlbctl")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
