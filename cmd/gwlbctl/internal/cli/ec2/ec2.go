// Package ec2 holds `gwlbctl ec2`: the AWS CLI's EC2 verbs gwlbctl needs
// around a gateway load balancer — VPCs and subnets, VPC endpoint services
// and their permissions, Gateway Load Balancer endpoints and their
// connections, and tags. One file per verb; each verb has an Options struct
// and a NewCmdX(f, runF) constructor.
package ec2

import (
	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
)

// NewCmdEC2 returns the `ec2` command group.
func NewCmdEC2(f *cmdutil.Factory) *cobra.Command {
	return cmdutil.NewGroup("ec2", "VPCs, subnets, endpoint services and Gateway Load Balancer endpoints (aws ec2)",
		`The AWS CLI's ec2 operations gwlbctl implements, run against its state
file: VPCs and subnets (the address plan), route tables and internet
gateways (routing through the endpoints), VPC endpoint services for gateway
load balancers, their allowed principals, Gateway Load Balancer endpoints and
the accept/reject of their connections. Flags, shorthand, JSON parameters,
file:// and the JSON responses are those of 'aws ec2'.`,
		NewCmdCreateVpc(f, nil),
		NewCmdDescribeVpcs(f, nil),
		NewCmdDeleteVpc(f, nil),
		NewCmdCreateSubnet(f, nil),
		NewCmdDescribeSubnets(f, nil),
		NewCmdDeleteSubnet(f, nil),
		NewCmdCreateVpcEndpointServiceConfiguration(f, nil),
		NewCmdDescribeVpcEndpointServiceConfigurations(f, nil),
		NewCmdModifyVpcEndpointServiceConfiguration(f, nil),
		NewCmdDeleteVpcEndpointServiceConfigurations(f, nil),
		NewCmdModifyVpcEndpointServicePermissions(f, nil),
		NewCmdDescribeVpcEndpointServicePermissions(f, nil),
		NewCmdCreateVpcEndpoint(f, nil),
		NewCmdDescribeVpcEndpoints(f, nil),
		NewCmdDeleteVpcEndpoints(f, nil),
		NewCmdAcceptVpcEndpointConnections(f, nil),
		NewCmdRejectVpcEndpointConnections(f, nil),
		NewCmdDescribeVpcEndpointConnections(f, nil),
		NewCmdDescribeVpcEndpointServices(f, nil),
		NewCmdCreateRouteTable(f, nil),
		NewCmdDescribeRouteTables(f, nil),
		NewCmdDeleteRouteTable(f, nil),
		NewCmdCreateRoute(f, nil),
		NewCmdReplaceRoute(f, nil),
		NewCmdDeleteRoute(f, nil),
		NewCmdAssociateRouteTable(f, nil),
		NewCmdDisassociateRouteTable(f, nil),
		NewCmdReplaceRouteTableAssociation(f, nil),
		NewCmdCreateInternetGateway(f, nil),
		NewCmdAttachInternetGateway(f, nil),
		NewCmdDetachInternetGateway(f, nil),
		NewCmdDeleteInternetGateway(f, nil),
		NewCmdDescribeInternetGateways(f, nil),
		NewCmdCreateTags(f, nil),
		NewCmdDeleteTags(f, nil),
		NewCmdDescribeTags(f, nil),
		NewCmdWait(f),
	)
}

// Example identifiers used in help text, in AWS's formats.
const (
	exVpc        = "vpc-0123456789abcdef0"
	exSubnet     = "subnet-0123456789abcdef0"
	exLB         = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/gwy/my-gwlb/0123456789abcdef"
	exService    = "vpce-svc-0123456789abcdef0"
	exSvcName    = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
	exEndpoint   = "vpce-0123456789abcdef0"
	exRouteTable = "rtb-0123456789abcdef0"
	exGateway    = "igw-0123456789abcdef0"
)

const filtersUsage = "filters: Name=<filter>,Values=v1,v2 ..."
