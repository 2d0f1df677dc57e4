package ec2

import (
	"testing"

	. "github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/clitest"
	"github.com/gwlbctl/gwlbctl/control"
)

func TestCreateVpcFlags(t *testing.T) {
	FlagTests(t, NewCmdCreateVpc, func(o *CreateVpcOptions) control.CreateVpcInput { return o.Input },
		[]FlagCase[control.CreateVpcInput]{
			{Name: "cidr", Args: []string{"--cidr-block", "10.0.0.0/16"}, Want: control.CreateVpcInput{CidrBlock: "10.0.0.0/16"}},
			{Name: "tag specifications", Args: []string{"--cidr-block", "10.1.0.0/16", "--tag-specifications", "ResourceType=vpc,Tags=[{Key=Name,Value=provider}]"},
				Want: control.CreateVpcInput{CidrBlock: "10.1.0.0/16", TagSpecifications: []control.TagSpecification{
					{ResourceType: "vpc", Tags: []control.Tag{{Key: "Name", Value: "provider"}}}}}},
			{Name: "missing cidr", WantErr: "--cidr-block"},
		})
}

func TestDescribeVpcsFlags(t *testing.T) {
	FlagTests(t, NewCmdDescribeVpcs, func(o *DescribeVpcsOptions) control.DescribeVpcsInput { return o.Input },
		[]FlagCase[control.DescribeVpcsInput]{
			{Name: "all", Want: control.DescribeVpcsInput{}},
			{Name: "ids and filters", Args: []string{"--vpc-ids", "vpc-1", "vpc-2", "--filters", "Name=cidr,Values=10.0.0.0/16,10.1.0.0/16", "Name=tag:Name,Values=p"},
				Want: control.DescribeVpcsInput{VpcIds: []string{"vpc-1", "vpc-2"}, Filters: []control.Filter{
					{Name: "cidr", Values: []string{"10.0.0.0/16", "10.1.0.0/16"}}, {Name: "tag:Name", Values: []string{"p"}}}}},
			{Name: "json filters", Args: []string{"--filters", `[{"Name":"vpc-id","Values":["vpc-1"]}]`},
				Want: control.DescribeVpcsInput{Filters: []control.Filter{{Name: "vpc-id", Values: []string{"vpc-1"}}}}},
			{Name: "bad filter", Args: []string{"--filters", "Nam=x"}, WantErr: `unknown parameter "Nam", must be one of: Name, Values`},
		})
}

func TestDeleteVpcFlags(t *testing.T) {
	FlagTests(t, NewCmdDeleteVpc, func(o *DeleteVpcOptions) control.DeleteVpcInput { return o.Input },
		[]FlagCase[control.DeleteVpcInput]{
			{Name: "id", Args: []string{"--vpc-id", exVpc}, Want: control.DeleteVpcInput{VpcId: exVpc}},
			{Name: "missing", WantErr: "--vpc-id"},
		})
}

func TestCreateSubnetFlags(t *testing.T) {
	FlagTests(t, NewCmdCreateSubnet, func(o *CreateSubnetOptions) control.CreateSubnetInput { return o.Input },
		[]FlagCase[control.CreateSubnetInput]{
			{Name: "zone", Args: []string{"--vpc-id", exVpc, "--cidr-block", "10.0.1.0/24", "--availability-zone", "us-east-1a"},
				Want: control.CreateSubnetInput{VpcId: exVpc, CidrBlock: "10.0.1.0/24", AvailabilityZone: "us-east-1a"}},
			{Name: "zone id", Args: []string{"--vpc-id", exVpc, "--cidr-block", "10.0.1.0/24", "--availability-zone-id", "use1-az1"},
				Want: control.CreateSubnetInput{VpcId: exVpc, CidrBlock: "10.0.1.0/24", AvailabilityZoneId: "use1-az1"}},
			{Name: "missing cidr", Args: []string{"--vpc-id", exVpc}, WantErr: "--cidr-block"},
		})
}

func TestDescribeSubnetsFlags(t *testing.T) {
	FlagTests(t, NewCmdDescribeSubnets, func(o *DescribeSubnetsOptions) control.DescribeSubnetsInput { return o.Input },
		[]FlagCase[control.DescribeSubnetsInput]{
			{Name: "ids", Args: []string{"--subnet-ids", "subnet-1", "subnet-2"}, Want: control.DescribeSubnetsInput{SubnetIds: []string{"subnet-1", "subnet-2"}}},
			{Name: "filter", Args: []string{"--filters", "Name=vpc-id,Values=" + exVpc},
				Want: control.DescribeSubnetsInput{Filters: []control.Filter{{Name: "vpc-id", Values: []string{exVpc}}}}},
		})
}

func TestDeleteSubnetFlags(t *testing.T) {
	FlagTests(t, NewCmdDeleteSubnet, func(o *DeleteSubnetOptions) control.DeleteSubnetInput { return o.Input },
		[]FlagCase[control.DeleteSubnetInput]{
			{Name: "id", Args: []string{"--subnet-id", exSubnet}, Want: control.DeleteSubnetInput{SubnetId: exSubnet}},
			{Name: "missing", WantErr: "--subnet-id"},
		})
}

func TestCreateVpcEndpointServiceConfigurationFlags(t *testing.T) {
	FlagTests(t, NewCmdCreateVpcEndpointServiceConfiguration, func(o *CreateVpcEndpointServiceConfigurationOptions) control.CreateVpcEndpointServiceConfigurationInput {
		return o.Input
	}, []FlagCase[control.CreateVpcEndpointServiceConfigurationInput]{
		{Name: "acceptance required", Args: []string{"--gateway-load-balancer-arns", exLB, "--acceptance-required"},
			Want: control.CreateVpcEndpointServiceConfigurationInput{GatewayLoadBalancerArns: []string{exLB}, AcceptanceRequired: Ptr(true)}},
		{Name: "no acceptance required", Args: []string{"--no-acceptance-required", "--gateway-load-balancer-arns", exLB},
			Want: control.CreateVpcEndpointServiceConfigurationInput{GatewayLoadBalancerArns: []string{exLB}, AcceptanceRequired: Ptr(false)}},
		{Name: "neither", Args: []string{"--gateway-load-balancer-arns", exLB, "--client-token", "t1"},
			Want: control.CreateVpcEndpointServiceConfigurationInput{GatewayLoadBalancerArns: []string{exLB}, ClientToken: "t1"}},
		{Name: "both", Args: []string{"--gateway-load-balancer-arns", exLB, "--acceptance-required", "--no-acceptance-required"}, WantErr: "not allowed with"},
		{Name: "cli-input-json", Args: []string{"--cli-input-json", `{"AcceptanceRequired":false,"GatewayLoadBalancerArns":["` + exLB + `"]}`},
			Want: control.CreateVpcEndpointServiceConfigurationInput{GatewayLoadBalancerArns: []string{exLB}, AcceptanceRequired: Ptr(false)}},
		{Name: "missing arns", Args: []string{"--acceptance-required"}, WantErr: "--gateway-load-balancer-arns"},
	})
}

func TestDescribeVpcEndpointServiceConfigurationsFlags(t *testing.T) {
	FlagTests(t, NewCmdDescribeVpcEndpointServiceConfigurations, func(o *DescribeVpcEndpointServiceConfigurationsOptions) control.DescribeVpcEndpointServiceConfigurationsInput {
		return o.Input
	}, []FlagCase[control.DescribeVpcEndpointServiceConfigurationsInput]{
		{Name: "ids", Args: []string{"--service-ids", exService}, Want: control.DescribeVpcEndpointServiceConfigurationsInput{ServiceIds: []string{exService}}},
		{Name: "filter", Args: []string{"--filters", "Name=service-state,Values=Available"},
			Want: control.DescribeVpcEndpointServiceConfigurationsInput{Filters: []control.Filter{{Name: "service-state", Values: []string{"Available"}}}}},
	})
}

func TestModifyVpcEndpointServiceConfigurationFlags(t *testing.T) {
	FlagTests(t, NewCmdModifyVpcEndpointServiceConfiguration, func(o *ModifyVpcEndpointServiceConfigurationOptions) control.ModifyVpcEndpointServiceConfigurationInput {
		return o.Input
	}, []FlagCase[control.ModifyVpcEndpointServiceConfigurationInput]{
		{Name: "acceptance", Args: []string{"--service-id", exService, "--no-acceptance-required"},
			Want: control.ModifyVpcEndpointServiceConfigurationInput{ServiceId: exService, AcceptanceRequired: Ptr(false)}},
		{Name: "add and remove", Args: []string{"--service-id", exService, "--add-gateway-load-balancer-arns", exLB, "--remove-gateway-load-balancer-arns", exLB},
			Want: control.ModifyVpcEndpointServiceConfigurationInput{ServiceId: exService, AddGatewayLoadBalancerArns: []string{exLB}, RemoveGatewayLoadBalancerArns: []string{exLB}}},
		{Name: "missing id", Args: []string{"--acceptance-required"}, WantErr: "--service-id"},
	})
}

func TestDeleteVpcEndpointServiceConfigurationsFlags(t *testing.T) {
	FlagTests(t, NewCmdDeleteVpcEndpointServiceConfigurations, func(o *DeleteVpcEndpointServiceConfigurationsOptions) control.DeleteVpcEndpointServiceConfigurationsInput {
		return o.Input
	}, []FlagCase[control.DeleteVpcEndpointServiceConfigurationsInput]{
		{Name: "ids", Args: []string{"--service-ids", exService, "vpce-svc-11111111111111111"},
			Want: control.DeleteVpcEndpointServiceConfigurationsInput{ServiceIds: []string{exService, "vpce-svc-11111111111111111"}}},
		{Name: "missing", WantErr: "--service-ids"},
	})
}

func TestModifyVpcEndpointServicePermissionsFlags(t *testing.T) {
	FlagTests(t, NewCmdModifyVpcEndpointServicePermissions, func(o *ModifyVpcEndpointServicePermissionsOptions) control.ModifyVpcEndpointServicePermissionsInput {
		return o.Input
	}, []FlagCase[control.ModifyVpcEndpointServicePermissionsInput]{
		{Name: "add", Args: []string{"--service-id", exService, "--add-allowed-principals", "arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"},
			Want: control.ModifyVpcEndpointServicePermissionsInput{ServiceId: exService, AddAllowedPrincipals: []string{"arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"}}},
		{Name: "remove json", Args: []string{"--service-id", exService, "--remove-allowed-principals", `["arn:aws:iam::111122223333:root"]`},
			Want: control.ModifyVpcEndpointServicePermissionsInput{ServiceId: exService, RemoveAllowedPrincipals: []string{"arn:aws:iam::111122223333:root"}}},
		{Name: "missing", Args: []string{"--add-allowed-principals", "*"}, WantErr: "--service-id"},
	})
}

func TestDescribeVpcEndpointServicePermissionsFlags(t *testing.T) {
	FlagTests(t, NewCmdDescribeVpcEndpointServicePermissions, func(o *DescribeVpcEndpointServicePermissionsOptions) control.DescribeVpcEndpointServicePermissionsInput {
		return o.Input
	}, []FlagCase[control.DescribeVpcEndpointServicePermissionsInput]{
		{Name: "id", Args: []string{"--service-id", exService}, Want: control.DescribeVpcEndpointServicePermissionsInput{ServiceId: exService}},
		{Name: "missing", WantErr: "--service-id"},
	})
}

func TestCreateVpcEndpointFlags(t *testing.T) {
	FlagTests(t, NewCmdCreateVpcEndpoint, func(o *CreateVpcEndpointOptions) control.CreateVpcEndpointInput { return o.Input },
		[]FlagCase[control.CreateVpcEndpointInput]{
			{Name: "guide", Args: []string{"--vpc-endpoint-type", "GatewayLoadBalancer", "--service-name", exSvcName, "--vpc-id", exVpc, "--subnet-ids", exSubnet},
				Want: control.CreateVpcEndpointInput{VpcEndpointType: "GatewayLoadBalancer", ServiceName: exSvcName, VpcId: exVpc, SubnetIds: []string{exSubnet}}},
			{Name: "two subnets reach the operation", Args: []string{"--vpc-endpoint-type", "GatewayLoadBalancer", "--service-name", exSvcName, "--vpc-id", exVpc, "--subnet-ids", "subnet-1", "subnet-2"},
				Want: control.CreateVpcEndpointInput{VpcEndpointType: "GatewayLoadBalancer", ServiceName: exSvcName, VpcId: exVpc, SubnetIds: []string{"subnet-1", "subnet-2"}}},
			{Name: "interface type", Args: []string{"--vpc-endpoint-type", "Interface", "--service-name", exSvcName, "--vpc-id", exVpc}, WantErr: `argument --vpc-endpoint-type: Invalid choice "Interface"`},
			{Name: "missing service", Args: []string{"--vpc-id", exVpc}, WantErr: "--service-name"},
		})
}

func TestDescribeVpcEndpointsFlags(t *testing.T) {
	FlagTests(t, NewCmdDescribeVpcEndpoints, func(o *DescribeVpcEndpointsOptions) control.DescribeVpcEndpointsInput { return o.Input },
		[]FlagCase[control.DescribeVpcEndpointsInput]{
			{Name: "ids", Args: []string{"--vpc-endpoint-ids", exEndpoint}, Want: control.DescribeVpcEndpointsInput{VpcEndpointIds: []string{exEndpoint}}},
			{Name: "filter", Args: []string{"--filters", "Name=vpc-endpoint-type,Values=GatewayLoadBalancer"},
				Want: control.DescribeVpcEndpointsInput{Filters: []control.Filter{{Name: "vpc-endpoint-type", Values: []string{"GatewayLoadBalancer"}}}}},
		})
}

func TestDeleteVpcEndpointsFlags(t *testing.T) {
	FlagTests(t, NewCmdDeleteVpcEndpoints, func(o *DeleteVpcEndpointsOptions) control.DeleteVpcEndpointsInput { return o.Input },
		[]FlagCase[control.DeleteVpcEndpointsInput]{
			{Name: "ids", Args: []string{"--vpc-endpoint-ids", exEndpoint}, Want: control.DeleteVpcEndpointsInput{VpcEndpointIds: []string{exEndpoint}}},
			{Name: "missing", WantErr: "--vpc-endpoint-ids"},
		})
}

func TestAcceptVpcEndpointConnectionsFlags(t *testing.T) {
	FlagTests(t, NewCmdAcceptVpcEndpointConnections, func(o *VpcEndpointConnectionsOptions) control.VpcEndpointConnectionsInput { return o.Input },
		[]FlagCase[control.VpcEndpointConnectionsInput]{
			{Name: "ids", Args: []string{"--service-id", exService, "--vpc-endpoint-ids", exEndpoint, "vpce-11111111111111111"},
				Want: control.VpcEndpointConnectionsInput{ServiceId: exService, VpcEndpointIds: []string{exEndpoint, "vpce-11111111111111111"}}},
			{Name: "missing service", Args: []string{"--vpc-endpoint-ids", exEndpoint}, WantErr: "--service-id"},
		})
}

func TestRejectVpcEndpointConnectionsFlags(t *testing.T) {
	FlagTests(t, NewCmdRejectVpcEndpointConnections, func(o *VpcEndpointConnectionsOptions) control.VpcEndpointConnectionsInput { return o.Input },
		[]FlagCase[control.VpcEndpointConnectionsInput]{
			{Name: "ids", Args: []string{"--service-id", exService, "--vpc-endpoint-ids", exEndpoint},
				Want: control.VpcEndpointConnectionsInput{ServiceId: exService, VpcEndpointIds: []string{exEndpoint}}},
			{Name: "missing ids", Args: []string{"--service-id", exService}, WantErr: "--vpc-endpoint-ids"},
		})
}

func TestDescribeVpcEndpointConnectionsFlags(t *testing.T) {
	FlagTests(t, NewCmdDescribeVpcEndpointConnections, func(o *DescribeVpcEndpointConnectionsOptions) control.DescribeVpcEndpointConnectionsInput {
		return o.Input
	}, []FlagCase[control.DescribeVpcEndpointConnectionsInput]{
		{Name: "all", Want: control.DescribeVpcEndpointConnectionsInput{}},
		{Name: "filter", Args: []string{"--filters", "Name=vpc-endpoint-state,Values=pendingAcceptance"},
			Want: control.DescribeVpcEndpointConnectionsInput{Filters: []control.Filter{{Name: "vpc-endpoint-state", Values: []string{"pendingAcceptance"}}}}},
	})
}

func TestCreateTagsFlags(t *testing.T) {
	FlagTests(t, NewCmdCreateTags, func(o *CreateTagsOptions) control.CreateTagsInput { return o.Input },
		[]FlagCase[control.CreateTagsInput]{
			{Name: "tags", Args: []string{"--resources", exVpc, exSubnet, "--tags", "Key=Name,Value=x"},
				Want: control.CreateTagsInput{Resources: []string{exVpc, exSubnet}, Tags: []control.Tag{{Key: "Name", Value: "x"}}}},
			{Name: "missing tags", Args: []string{"--resources", exVpc}, WantErr: "--tags"},
		})
}

func TestDeleteTagsFlags(t *testing.T) {
	FlagTests(t, NewCmdDeleteTags, func(o *DeleteTagsOptions) control.DeleteTagsInput { return o.Input },
		[]FlagCase[control.DeleteTagsInput]{
			{Name: "key only", Args: []string{"--resources", exVpc, "--tags", "Key=Name"},
				Want: control.DeleteTagsInput{Resources: []string{exVpc}, Tags: []control.Tag{{Key: "Name"}}}},
			{Name: "missing", WantErr: "--resources"},
		})
}

func TestDescribeTagsFlags(t *testing.T) {
	FlagTests(t, NewCmdDescribeTags, func(o *DescribeTagsOptions) control.DescribeTagsEC2Input { return o.Input },
		[]FlagCase[control.DescribeTagsEC2Input]{
			{Name: "filter", Args: []string{"--filters", "Name=resource-id,Values=" + exVpc},
				Want: control.DescribeTagsEC2Input{Filters: []control.Filter{{Name: "resource-id", Values: []string{exVpc}}}}},
		})
}
