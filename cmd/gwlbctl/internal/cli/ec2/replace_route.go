package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// ReplaceRouteOptions are the inputs of `ec2 replace-route`.
type ReplaceRouteOptions struct {
	cmdutil.Op
	Input control.ReplaceRouteInput
}

// NewCmdReplaceRoute returns `ec2 replace-route`.
func NewCmdReplaceRoute(f *cmdutil.Factory, runF func(*ReplaceRouteOptions) error) *cobra.Command {
	opts := &ReplaceRouteOptions{Op: f.Op()}
	cmd := &cobra.Command{
		Use:   "replace-route",
		Short: "Change the target of a route (--local-target puts the VPC's route back to local)",
		Example: `  gwlbctl ec2 replace-route --route-table-id ` + exRouteTable + ` --destination-cidr-block 0.0.0.0/0 \
    --vpc-endpoint-id ` + exEndpoint,
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.Require(cmd, "route-table-id"); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return cmdutil.Run(cmd.Context(), opts.Op, "ReplaceRoute", true, (*control.State).ReplaceRoute, opts.Input)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Input.RouteInput.RouteTableId, "route-table-id", "", "route table ID")
	fl.StringVar(&opts.Input.RouteInput.DestinationCidrBlock, "destination-cidr-block", "", "the route's IPv4 destination, e.g. 0.0.0.0/0")
	fl.StringVar(&opts.Input.RouteInput.DestinationIpv6CidrBlock, "destination-ipv6-cidr-block", "", "not supported: gwlbctl routes IPv4 destinations")
	fl.StringVar(&opts.Input.RouteInput.DestinationPrefixListId, "destination-prefix-list-id", "", "not supported: gwlbctl routes IPv4 destinations")
	fl.StringVar(&opts.Input.RouteInput.VpcEndpointId, "vpc-endpoint-id", "", "target: a Gateway Load Balancer endpoint (vpce-...)")
	fl.StringVar(&opts.Input.RouteInput.GatewayId, "gateway-id", "", "target: an internet gateway attached to the VPC (igw-...)")
	fl.StringVar(&opts.Input.RouteInput.InstanceId, "instance-id", "", "not supported by gwlbctl")
	fl.StringVar(&opts.Input.RouteInput.NatGatewayId, "nat-gateway-id", "", "not supported by gwlbctl")
	fl.StringVar(&opts.Input.RouteInput.TransitGatewayId, "transit-gateway-id", "", "not supported by gwlbctl")
	fl.StringVar(&opts.Input.RouteInput.NetworkInterfaceId, "network-interface-id", "", "not supported by gwlbctl")
	fl.StringVar(&opts.Input.RouteInput.VpcPeeringConnectionId, "vpc-peering-connection-id", "", "not supported by gwlbctl")
	cmdutil.BoolPairFlag(cmd, &opts.Input.LocalTarget, "local-target", "put the route for the VPC's CIDR back to the local target")
	cmdutil.InputJSON(cmd, &opts.Input)
	return cmd
}
