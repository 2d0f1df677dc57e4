package clienttest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2sdk "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/smithy-go"

	"github.com/gwlbctl/gwlbctl/control/awsapi"
)

func must[T any](t *testing.T, what string) func(T, error) T {
	t.Helper()
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// provisionWithSDK drives every action of the table through the AWS SDK
// for Go, checking what each returns, and leaves nothing behind.
func provisionWithSDK(t *testing.T, ts *testServer) {
	ctx := context.Background()
	lbc, ec := ts.clients(t, testAccessKey, testSecretKey)
	name := func(n string) []ec2types.TagSpecification {
		return []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVpc, Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String(n)}}}}
	}

	// VPCs and subnets.
	inspection := must[*ec2sdk.CreateVpcOutput](t, "CreateVpc")(ec.CreateVpc(ctx, &ec2sdk.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16"), TagSpecifications: name("inspection")}))
	vpcID := aws.ToString(inspection.Vpc.VpcId)
	if inspection.Vpc.State != ec2types.VpcStateAvailable || len(inspection.Vpc.Tags) != 1 || aws.ToString(inspection.Vpc.Tags[0].Value) != "inspection" {
		t.Fatalf("CreateVpc: %+v", inspection.Vpc)
	}
	consumer := must[*ec2sdk.CreateVpcOutput](t, "CreateVpc")(ec.CreateVpc(ctx, &ec2sdk.CreateVpcInput{CidrBlock: aws.String("192.168.0.0/16")}))
	consumerID := aws.ToString(consumer.Vpc.VpcId)
	subnet := func(vpc, cidr, zone string) string {
		out := must[*ec2sdk.CreateSubnetOutput](t, "CreateSubnet")(ec.CreateSubnet(ctx, &ec2sdk.CreateSubnetInput{VpcId: aws.String(vpc), CidrBlock: aws.String(cidr), AvailabilityZone: aws.String(zone)}))
		if aws.ToString(out.Subnet.AvailabilityZone) != zone || aws.ToString(out.Subnet.VpcId) != vpc {
			t.Fatalf("CreateSubnet: %+v", out.Subnet)
		}
		return aws.ToString(out.Subnet.SubnetId)
	}
	subnetA := subnet(vpcID, "10.0.1.0/24", "us-east-1a")
	subnetB := subnet(vpcID, "10.0.2.0/24", "us-east-1b")
	consumerSubnet := subnet(consumerID, "192.168.1.0/24", "us-east-1a")
	// A second consumer with the same, overlapping CIDR.
	consumer2 := must[*ec2sdk.CreateVpcOutput](t, "CreateVpc")(ec.CreateVpc(ctx, &ec2sdk.CreateVpcInput{CidrBlock: aws.String("192.168.0.0/16")}))
	consumer2ID := aws.ToString(consumer2.Vpc.VpcId)
	consumer2Subnet := subnet(consumer2ID, "192.168.1.0/24", "us-east-1b")
	vpcs := must[*ec2sdk.DescribeVpcsOutput](t, "DescribeVpcs")(ec.DescribeVpcs(ctx, &ec2sdk.DescribeVpcsInput{Filters: []ec2types.Filter{{Name: aws.String("cidr"), Values: []string{"10.0.0.0/16"}}}}))
	if len(vpcs.Vpcs) != 1 || aws.ToString(vpcs.Vpcs[0].VpcId) != vpcID || len(vpcs.Vpcs[0].CidrBlockAssociationSet) != 1 {
		t.Fatalf("DescribeVpcs by cidr: %+v", vpcs.Vpcs)
	}
	subnets := must[*ec2sdk.DescribeSubnetsOutput](t, "DescribeSubnets")(ec.DescribeSubnets(ctx, &ec2sdk.DescribeSubnetsInput{SubnetIds: []string{subnetA, subnetB}}))
	if len(subnets.Subnets) != 2 || aws.ToInt32(subnets.Subnets[0].AvailableIpAddressCount) != 251 {
		t.Fatalf("DescribeSubnets: %+v", subnets.Subnets)
	}

	// Target group and targets.
	tgOut := must[*elb.CreateTargetGroupOutput](t, "CreateTargetGroup")(lbc.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{
		Name: aws.String("appliances"), Protocol: elbtypes.ProtocolEnumGeneve, Port: aws.Int32(6081), VpcId: aws.String(vpcID),
		TargetType: elbtypes.TargetTypeEnumIp, HealthCheckProtocol: elbtypes.ProtocolEnumTcp, HealthCheckPort: aws.String("80"),
		Tags: []elbtypes.Tag{{Key: aws.String("team"), Value: aws.String("netsec")}},
	}))
	tg := tgOut.TargetGroups[0]
	tgArn := aws.ToString(tg.TargetGroupArn)
	if tg.Protocol != elbtypes.ProtocolEnumGeneve || aws.ToInt32(tg.Port) != 6081 || aws.ToString(tg.HealthCheckPort) != "80" {
		t.Fatalf("CreateTargetGroup: %+v", tg)
	}
	tgs := must[*elb.DescribeTargetGroupsOutput](t, "DescribeTargetGroups")(lbc.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{Names: []string{"appliances"}}))
	if len(tgs.TargetGroups) != 1 || aws.ToString(tgs.TargetGroups[0].TargetGroupArn) != tgArn {
		t.Fatalf("DescribeTargetGroups: %+v", tgs.TargetGroups)
	}
	mtg := must[*elb.ModifyTargetGroupOutput](t, "ModifyTargetGroup")(lbc.ModifyTargetGroup(ctx, &elb.ModifyTargetGroupInput{TargetGroupArn: aws.String(tgArn), HealthCheckIntervalSeconds: aws.Int32(10), HealthyThresholdCount: aws.Int32(3)}))
	if aws.ToInt32(mtg.TargetGroups[0].HealthCheckIntervalSeconds) != 10 || aws.ToInt32(mtg.TargetGroups[0].HealthyThresholdCount) != 3 {
		t.Fatalf("ModifyTargetGroup: %+v", mtg.TargetGroups[0])
	}
	attrs := must[*elb.DescribeTargetGroupAttributesOutput](t, "DescribeTargetGroupAttributes")(lbc.DescribeTargetGroupAttributes(ctx, &elb.DescribeTargetGroupAttributesInput{TargetGroupArn: aws.String(tgArn)}))
	if len(attrs.Attributes) == 0 {
		t.Fatal("DescribeTargetGroupAttributes: no attributes")
	}
	mattrs := must[*elb.ModifyTargetGroupAttributesOutput](t, "ModifyTargetGroupAttributes")(lbc.ModifyTargetGroupAttributes(ctx, &elb.ModifyTargetGroupAttributesInput{TargetGroupArn: aws.String(tgArn),
		Attributes: []elbtypes.TargetGroupAttribute{{Key: aws.String("deregistration_delay.timeout_seconds"), Value: aws.String("60")}}}))
	if !slices.ContainsFunc(mattrs.Attributes, func(a elbtypes.TargetGroupAttribute) bool {
		return aws.ToString(a.Key) == "deregistration_delay.timeout_seconds" && aws.ToString(a.Value) == "60"
	}) {
		t.Fatalf("ModifyTargetGroupAttributes: %+v", mattrs.Attributes)
	}
	must[*elb.RegisterTargetsOutput](t, "RegisterTargets")(lbc.RegisterTargets(ctx, &elb.RegisterTargetsInput{TargetGroupArn: aws.String(tgArn),
		Targets: []elbtypes.TargetDescription{{Id: aws.String("10.0.1.10")}, {Id: aws.String("10.0.2.10")}}}))

	// Load balancer, attributes, listener.
	lbOut := must[*elb.CreateLoadBalancerOutput](t, "CreateLoadBalancer")(lbc.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{
		Name: aws.String("inspection-gwlb"), Type: elbtypes.LoadBalancerTypeEnumGateway, Subnets: []string{subnetA, subnetB}}))
	lb := lbOut.LoadBalancers[0]
	lbArn := aws.ToString(lb.LoadBalancerArn)
	if lb.Type != elbtypes.LoadBalancerTypeEnumGateway || len(lb.AvailabilityZones) != 2 || lb.CreatedTime == nil || lb.State.Code != elbtypes.LoadBalancerStateEnumActive {
		t.Fatalf("CreateLoadBalancer: %+v", lb)
	}
	lbs := must[*elb.DescribeLoadBalancersOutput](t, "DescribeLoadBalancers")(lbc.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{LoadBalancerArns: []string{lbArn}}))
	if len(lbs.LoadBalancers) != 1 || !lbs.LoadBalancers[0].CreatedTime.Equal(*lb.CreatedTime) {
		t.Fatalf("DescribeLoadBalancers: %+v", lbs.LoadBalancers)
	}
	must[*elb.DescribeLoadBalancerAttributesOutput](t, "DescribeLoadBalancerAttributes")(lbc.DescribeLoadBalancerAttributes(ctx, &elb.DescribeLoadBalancerAttributesInput{LoadBalancerArn: aws.String(lbArn)}))
	mlb := must[*elb.ModifyLoadBalancerAttributesOutput](t, "ModifyLoadBalancerAttributes")(lbc.ModifyLoadBalancerAttributes(ctx, &elb.ModifyLoadBalancerAttributesInput{LoadBalancerArn: aws.String(lbArn),
		Attributes: []elbtypes.LoadBalancerAttribute{{Key: aws.String("load_balancing.cross_zone.enabled"), Value: aws.String("true")}}}))
	if !slices.ContainsFunc(mlb.Attributes, func(a elbtypes.LoadBalancerAttribute) bool { return aws.ToString(a.Value) == "true" }) {
		t.Fatalf("ModifyLoadBalancerAttributes: %+v", mlb.Attributes)
	}
	forward := []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(tgArn)}}
	lis := must[*elb.CreateListenerOutput](t, "CreateListener")(lbc.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: aws.String(lbArn), DefaultActions: forward}))
	lisArn := aws.ToString(lis.Listeners[0].ListenerArn)
	liss := must[*elb.DescribeListenersOutput](t, "DescribeListeners")(lbc.DescribeListeners(ctx, &elb.DescribeListenersInput{LoadBalancerArn: aws.String(lbArn)}))
	if len(liss.Listeners) != 1 || aws.ToString(liss.Listeners[0].DefaultActions[0].TargetGroupArn) != tgArn {
		t.Fatalf("DescribeListeners: %+v", liss.Listeners)
	}
	must[*elb.ModifyListenerOutput](t, "ModifyListener")(lbc.ModifyListener(ctx, &elb.ModifyListenerInput{ListenerArn: aws.String(lisArn), DefaultActions: forward}))
	must[*elb.DescribeListenerAttributesOutput](t, "DescribeListenerAttributes")(lbc.DescribeListenerAttributes(ctx, &elb.DescribeListenerAttributesInput{ListenerArn: aws.String(lisArn)}))
	mlis := must[*elb.ModifyListenerAttributesOutput](t, "ModifyListenerAttributes")(lbc.ModifyListenerAttributes(ctx, &elb.ModifyListenerAttributesInput{ListenerArn: aws.String(lisArn),
		Attributes: []elbtypes.ListenerAttribute{{Key: aws.String("tcp.idle_timeout.seconds"), Value: aws.String("350")}}}))
	if !slices.ContainsFunc(mlis.Attributes, func(a elbtypes.ListenerAttribute) bool { return aws.ToString(a.Value) == "350" }) {
		t.Fatalf("ModifyListenerAttributes: %+v", mlis.Attributes)
	}
	health := must[*elb.DescribeTargetHealthOutput](t, "DescribeTargetHealth")(lbc.DescribeTargetHealth(ctx, &elb.DescribeTargetHealthInput{TargetGroupArn: aws.String(tgArn)}))
	if len(health.TargetHealthDescriptions) != 2 || health.TargetHealthDescriptions[0].TargetHealth.State != elbtypes.TargetHealthStateEnumInitial || aws.ToInt32(health.TargetHealthDescriptions[0].Target.Port) != 6081 {
		t.Fatalf("DescribeTargetHealth: %+v", health.TargetHealthDescriptions)
	}

	// ELBv2 tags.
	must[*elb.AddTagsOutput](t, "AddTags")(lbc.AddTags(ctx, &elb.AddTagsInput{ResourceArns: []string{lbArn}, Tags: []elbtypes.Tag{{Key: aws.String("env"), Value: aws.String("test")}}}))
	tags := must[*elb.DescribeTagsOutput](t, "DescribeTags")(lbc.DescribeTags(ctx, &elb.DescribeTagsInput{ResourceArns: []string{lbArn}}))
	if len(tags.TagDescriptions) != 1 || len(tags.TagDescriptions[0].Tags) != 1 {
		t.Fatalf("DescribeTags: %+v", tags.TagDescriptions)
	}
	must[*elb.RemoveTagsOutput](t, "RemoveTags")(lbc.RemoveTags(ctx, &elb.RemoveTagsInput{ResourceArns: []string{lbArn}, TagKeys: []string{"env"}}))

	// Endpoint service, permissions, endpoints and their connections.
	svc := must[*ec2sdk.CreateVpcEndpointServiceConfigurationOutput](t, "CreateVpcEndpointServiceConfiguration")(ec.CreateVpcEndpointServiceConfiguration(ctx, &ec2sdk.CreateVpcEndpointServiceConfigurationInput{
		GatewayLoadBalancerArns: []string{lbArn}, AcceptanceRequired: aws.Bool(true)}))
	serviceID := aws.ToString(svc.ServiceConfiguration.ServiceId)
	serviceName := aws.ToString(svc.ServiceConfiguration.ServiceName)
	if svc.ServiceConfiguration.ServiceType[0].ServiceType != ec2types.ServiceTypeGatewayLoadBalancer || !aws.ToBool(svc.ServiceConfiguration.AcceptanceRequired) {
		t.Fatalf("CreateVpcEndpointServiceConfiguration: %+v", svc.ServiceConfiguration)
	}
	svcs := must[*ec2sdk.DescribeVpcEndpointServiceConfigurationsOutput](t, "DescribeVpcEndpointServiceConfigurations")(ec.DescribeVpcEndpointServiceConfigurations(ctx, &ec2sdk.DescribeVpcEndpointServiceConfigurationsInput{ServiceIds: []string{serviceID}}))
	if len(svcs.ServiceConfigurations) != 1 || aws.ToString(svcs.ServiceConfigurations[0].ServiceName) != serviceName {
		t.Fatalf("DescribeVpcEndpointServiceConfigurations: %+v", svcs.ServiceConfigurations)
	}
	mod := must[*ec2sdk.ModifyVpcEndpointServiceConfigurationOutput](t, "ModifyVpcEndpointServiceConfiguration")(ec.ModifyVpcEndpointServiceConfiguration(ctx, &ec2sdk.ModifyVpcEndpointServiceConfigurationInput{ServiceId: aws.String(serviceID), AcceptanceRequired: aws.Bool(true)}))
	if !aws.ToBool(mod.Return) {
		t.Fatal("ModifyVpcEndpointServiceConfiguration: Return false")
	}
	perm := must[*ec2sdk.ModifyVpcEndpointServicePermissionsOutput](t, "ModifyVpcEndpointServicePermissions")(ec.ModifyVpcEndpointServicePermissions(ctx, &ec2sdk.ModifyVpcEndpointServicePermissionsInput{ServiceId: aws.String(serviceID), AddAllowedPrincipals: []string{"arn:aws:iam::" + testAccount + ":root"}}))
	if !aws.ToBool(perm.ReturnValue) {
		t.Fatal("ModifyVpcEndpointServicePermissions: ReturnValue false")
	}
	perms := must[*ec2sdk.DescribeVpcEndpointServicePermissionsOutput](t, "DescribeVpcEndpointServicePermissions")(ec.DescribeVpcEndpointServicePermissions(ctx, &ec2sdk.DescribeVpcEndpointServicePermissionsInput{ServiceId: aws.String(serviceID)}))
	if len(perms.AllowedPrincipals) != 1 {
		t.Fatalf("DescribeVpcEndpointServicePermissions: %+v", perms.AllowedPrincipals)
	}
	// The consumer's look-up of the service by name.
	details := must[*ec2sdk.DescribeVpcEndpointServicesOutput](t, "DescribeVpcEndpointServices")(ec.DescribeVpcEndpointServices(ctx, &ec2sdk.DescribeVpcEndpointServicesInput{ServiceNames: []string{serviceName}}))
	if len(details.ServiceDetails) != 1 || aws.ToString(details.ServiceDetails[0].ServiceId) != serviceID ||
		details.ServiceDetails[0].ServiceType[0].ServiceType != ec2types.ServiceTypeGatewayLoadBalancer || !slices.Equal(details.ServiceNames, []string{serviceName}) {
		t.Fatalf("DescribeVpcEndpointServices: %+v %v", details.ServiceDetails, details.ServiceNames)
	}
	endpoint := func(vpc, subnet string) string {
		out := must[*ec2sdk.CreateVpcEndpointOutput](t, "CreateVpcEndpoint")(ec.CreateVpcEndpoint(ctx, &ec2sdk.CreateVpcEndpointInput{
			VpcEndpointType: ec2types.VpcEndpointTypeGatewayLoadBalancer, ServiceName: aws.String(serviceName), VpcId: aws.String(vpc), SubnetIds: []string{subnet}}))
		if out.VpcEndpoint.State != "pendingAcceptance" || out.VpcEndpoint.CreationTimestamp == nil {
			t.Fatalf("CreateVpcEndpoint: %+v", out.VpcEndpoint)
		}
		return aws.ToString(out.VpcEndpoint.VpcEndpointId)
	}
	accepted, rejected := endpoint(consumerID, consumerSubnet), endpoint(consumer2ID, consumer2Subnet)
	conns := must[*ec2sdk.DescribeVpcEndpointConnectionsOutput](t, "DescribeVpcEndpointConnections")(ec.DescribeVpcEndpointConnections(ctx, &ec2sdk.DescribeVpcEndpointConnectionsInput{
		Filters: []ec2types.Filter{{Name: aws.String("service-id"), Values: []string{serviceID}}, {Name: aws.String("vpc-endpoint-state"), Values: []string{"pendingAcceptance"}}}}))
	if len(conns.VpcEndpointConnections) != 2 {
		t.Fatalf("DescribeVpcEndpointConnections: %+v", conns.VpcEndpointConnections)
	}
	acc := must[*ec2sdk.AcceptVpcEndpointConnectionsOutput](t, "AcceptVpcEndpointConnections")(ec.AcceptVpcEndpointConnections(ctx, &ec2sdk.AcceptVpcEndpointConnectionsInput{ServiceId: aws.String(serviceID), VpcEndpointIds: []string{accepted}}))
	if len(acc.Unsuccessful) != 0 {
		t.Fatalf("AcceptVpcEndpointConnections: %+v", acc.Unsuccessful)
	}
	// Accepting again is an Unsuccessful item, not an error.
	again := must[*ec2sdk.AcceptVpcEndpointConnectionsOutput](t, "AcceptVpcEndpointConnections")(ec.AcceptVpcEndpointConnections(ctx, &ec2sdk.AcceptVpcEndpointConnectionsInput{ServiceId: aws.String(serviceID), VpcEndpointIds: []string{accepted}}))
	if len(again.Unsuccessful) != 1 || aws.ToString(again.Unsuccessful[0].ResourceId) != accepted || aws.ToString(again.Unsuccessful[0].Error.Code) == "" {
		t.Fatalf("AcceptVpcEndpointConnections again: %+v", again.Unsuccessful)
	}
	must[*ec2sdk.RejectVpcEndpointConnectionsOutput](t, "RejectVpcEndpointConnections")(ec.RejectVpcEndpointConnections(ctx, &ec2sdk.RejectVpcEndpointConnectionsInput{ServiceId: aws.String(serviceID), VpcEndpointIds: []string{rejected}}))
	eps := must[*ec2sdk.DescribeVpcEndpointsOutput](t, "DescribeVpcEndpoints")(ec.DescribeVpcEndpoints(ctx, &ec2sdk.DescribeVpcEndpointsInput{VpcEndpointIds: []string{accepted, rejected}}))
	states := map[string]ec2types.State{}
	for _, e := range eps.VpcEndpoints {
		states[aws.ToString(e.VpcEndpointId)] = e.State
	}
	if states[accepted] != "available" || states[rejected] != "rejected" {
		t.Fatalf("DescribeVpcEndpoints: %v", states)
	}
	unroute := routeWithSDK(t, ec, consumerID, consumerSubnet, accepted)

	// EC2 tags.
	must[*ec2sdk.CreateTagsOutput](t, "CreateTags")(ec.CreateTags(ctx, &ec2sdk.CreateTagsInput{Resources: []string{vpcID, accepted}, Tags: []ec2types.Tag{{Key: aws.String("env"), Value: aws.String("test")}}}))
	etags := must[*ec2sdk.DescribeTagsOutput](t, "DescribeTags")(ec.DescribeTags(ctx, &ec2sdk.DescribeTagsInput{Filters: []ec2types.Filter{{Name: aws.String("key"), Values: []string{"env"}}}}))
	if len(etags.Tags) != 2 {
		t.Fatalf("ec2 DescribeTags: %+v", etags.Tags)
	}
	must[*ec2sdk.DeleteTagsOutput](t, "DeleteTags")(ec.DeleteTags(ctx, &ec2sdk.DeleteTagsInput{Resources: []string{vpcID, accepted}, Tags: []ec2types.Tag{{Key: aws.String("env")}}}))

	// Service errors arrive as the SDK's typed errors.
	_, err := lbc.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{Names: []string{"no-such-lb"}})
	var notFound *elbtypes.LoadBalancerNotFoundException
	if !errors.As(err, &notFound) {
		t.Fatalf("DescribeLoadBalancers of a missing name: %v, want LoadBalancerNotFoundException", err)
	}
	if _, err := ec.DeleteVpc(ctx, &ec2sdk.DeleteVpcInput{VpcId: aws.String(vpcID)}); apiCode(err) != "DependencyViolation" {
		t.Fatalf("DeleteVpc with subnets: %v, want DependencyViolation", err)
	}
	// EC2's DryRun, answered by running the operation with its changes
	// discarded: 412 DryRunOperation when it would succeed, else its error.
	_, err = ec.CreateVpc(ctx, &ec2sdk.CreateVpcInput{CidrBlock: aws.String("10.9.0.0/16"), DryRun: aws.Bool(true)})
	wantDryRun(t, "CreateVpc", err)
	_, err = ec.DescribeVpcs(ctx, &ec2sdk.DescribeVpcsInput{DryRun: aws.Bool(true)})
	wantDryRun(t, "DescribeVpcs", err)
	if _, err := ec.CreateVpc(ctx, &ec2sdk.CreateVpcInput{CidrBlock: aws.String("10.9.0.0/33"), DryRun: aws.Bool(true)}); apiCode(err) == "DryRunOperation" || err == nil {
		t.Fatalf("CreateVpc DryRun of a bad CIDR: %v, want the operation's error", err)
	}
	if dry := must[*ec2sdk.DescribeVpcsOutput](t, "DescribeVpcs")(ec.DescribeVpcs(ctx, &ec2sdk.DescribeVpcsInput{Filters: []ec2types.Filter{{Name: aws.String("cidr"), Values: []string{"10.9.0.0/16"}}}})); len(dry.Vpcs) != 0 {
		t.Fatalf("a DryRun CreateVpc created %+v", dry.Vpcs)
	}

	// Tear everything down.
	unroute()
	dep := must[*ec2sdk.DeleteVpcEndpointsOutput](t, "DeleteVpcEndpoints")(ec.DeleteVpcEndpoints(ctx, &ec2sdk.DeleteVpcEndpointsInput{VpcEndpointIds: []string{accepted, rejected}}))
	if len(dep.Unsuccessful) != 0 {
		t.Fatalf("DeleteVpcEndpoints: %+v", dep.Unsuccessful)
	}
	dsvc := must[*ec2sdk.DeleteVpcEndpointServiceConfigurationsOutput](t, "DeleteVpcEndpointServiceConfigurations")(ec.DeleteVpcEndpointServiceConfigurations(ctx, &ec2sdk.DeleteVpcEndpointServiceConfigurationsInput{ServiceIds: []string{serviceID}}))
	if len(dsvc.Unsuccessful) != 0 {
		t.Fatalf("DeleteVpcEndpointServiceConfigurations: %+v", dsvc.Unsuccessful)
	}
	must[*elb.DeregisterTargetsOutput](t, "DeregisterTargets")(lbc.DeregisterTargets(ctx, &elb.DeregisterTargetsInput{TargetGroupArn: aws.String(tgArn), Targets: []elbtypes.TargetDescription{{Id: aws.String("10.0.1.10")}}}))
	must[*elb.DeleteListenerOutput](t, "DeleteListener")(lbc.DeleteListener(ctx, &elb.DeleteListenerInput{ListenerArn: aws.String(lisArn)}))
	must[*elb.DeleteLoadBalancerOutput](t, "DeleteLoadBalancer")(lbc.DeleteLoadBalancer(ctx, &elb.DeleteLoadBalancerInput{LoadBalancerArn: aws.String(lbArn)}))
	must[*elb.DeleteTargetGroupOutput](t, "DeleteTargetGroup")(lbc.DeleteTargetGroup(ctx, &elb.DeleteTargetGroupInput{TargetGroupArn: aws.String(tgArn)}))
	for _, id := range []string{subnetA, subnetB, consumerSubnet, consumer2Subnet} {
		must[*ec2sdk.DeleteSubnetOutput](t, "DeleteSubnet")(ec.DeleteSubnet(ctx, &ec2sdk.DeleteSubnetInput{SubnetId: aws.String(id)}))
	}
	for _, id := range []string{vpcID, consumerID, consumer2ID} {
		must[*ec2sdk.DeleteVpcOutput](t, "DeleteVpc")(ec.DeleteVpc(ctx, &ec2sdk.DeleteVpcInput{VpcId: aws.String(id)}))
	}
	left := must[*ec2sdk.DescribeVpcsOutput](t, "DescribeVpcs")(ec.DescribeVpcs(ctx, &ec2sdk.DescribeVpcsInput{}))
	gone := must[*elb.DescribeLoadBalancersOutput](t, "DescribeLoadBalancers")(lbc.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{}))
	tables := must[*ec2sdk.DescribeRouteTablesOutput](t, "DescribeRouteTables")(ec.DescribeRouteTables(ctx, &ec2sdk.DescribeRouteTablesInput{}))
	igws := must[*ec2sdk.DescribeInternetGatewaysOutput](t, "DescribeInternetGateways")(ec.DescribeInternetGateways(ctx, &ec2sdk.DescribeInternetGatewaysInput{}))
	if len(left.Vpcs) != 0 || len(gone.LoadBalancers) != 0 || len(tables.RouteTables) != 0 || len(igws.InternetGateways) != 0 {
		t.Fatalf("after deleting everything: %d VPCs, %d load balancers, %d route tables, %d internet gateways",
			len(left.Vpcs), len(gone.LoadBalancers), len(tables.RouteTables), len(igws.InternetGateways))
	}
}

// TestSDKEveryAction runs every action of the table through the AWS SDK
// for Go, and checks that each was answered successfully at least once.
func TestSDKEveryAction(t *testing.T) {
	ts := newTestServer(t, nil)
	provisionWithSDK(t, ts)
	ok := map[string]bool{}
	for _, x := range ts.Exchanges() {
		if x.Status == 200 {
			ok[x.Service+" "+x.Operation] = true
		}
	}
	for _, a := range awsapi.Actions() {
		if !ok[a.Service+" "+a.Name] {
			t.Errorf("%s %s was never answered successfully", a.Service, a.Name)
		}
	}
	checkWithBotocore(t, ts.Exchanges())
}

// TestSDKVerifiedSignatures runs the same with signature verification on:
// the SDK's signatures verify, and a wrong secret or key is refused with
// AWS's codes.
func TestSDKVerifiedSignatures(t *testing.T) {
	ts := newTestServer(t, func(c *awsapi.Config) {
		c.Credentials = &awsapi.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecretKey}
	})
	provisionWithSDK(t, ts)
	ctx := context.Background()
	before := ts.stateBytes(t)
	badSecret, badSecretEC2 := ts.clients(t, testAccessKey, "not-the-secret")
	if _, err := badSecret.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String("x"), Type: elbtypes.LoadBalancerTypeEnumGateway}); apiCode(err) != "SignatureDoesNotMatch" {
		t.Errorf("wrong secret (elbv2): %v, want SignatureDoesNotMatch", err)
	}
	if _, err := badSecretEC2.CreateVpc(ctx, &ec2sdk.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")}); apiCode(err) != "SignatureDoesNotMatch" {
		t.Errorf("wrong secret (ec2): %v, want SignatureDoesNotMatch", err)
	}
	badKey, _ := ts.clients(t, "AKIDOTHER", testSecretKey)
	if _, err := badKey.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{}); apiCode(err) != "InvalidClientTokenId" {
		t.Errorf("wrong key: %v, want InvalidClientTokenId", err)
	}
	if after := ts.stateBytes(t); after != before {
		t.Error("a refused request changed the state")
	}
}
