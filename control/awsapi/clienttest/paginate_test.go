package clienttest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2sdk "github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/gwlbctl/gwlbctl/control/awsapi/internal/pyclient"
)

// Page sizes of the pagination tests: EC2's smallest MaxResults and an
// ELBv2 PageSize, both smaller than the number of items seeded.
const (
	ec2Page = 5
	elbPage = 2
)

// pagingSeed is an account with more of every paged resource than a
// page holds, and what the describes that need one are called with.
type pagingSeed struct {
	ServiceID    string   `json:"service_id"`
	ListenerArns []string `json:"listener_arns"`
}

// seedPaging creates, through the SDK, 12 VPCs (12 main route tables, 12
// Name tags), 12 subnets, 8 internet gateways, 8 target groups, load
// balancers, listeners and endpoint services, 7 allowed principals on the
// first service and 8 endpoints of it (8 connections): more of each than
// a page and one item more (boto3's MaxItems test) hold.
func seedPaging(t *testing.T, lbc *elb.Client, ec *ec2sdk.Client) pagingSeed {
	t.Helper()
	ctx := context.Background()
	var seed pagingSeed
	var vpcs, subnets []string
	for i := range 12 {
		v := must[*ec2sdk.CreateVpcOutput](t, "CreateVpc")(ec.CreateVpc(ctx, &ec2sdk.CreateVpcInput{CidrBlock: aws.String(fmt.Sprintf("10.%d.0.0/16", i)),
			TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVpc, Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String(fmt.Sprintf("vpc-%d", i))}}}}}))
		vpcs = append(vpcs, aws.ToString(v.Vpc.VpcId))
		sn := must[*ec2sdk.CreateSubnetOutput](t, "CreateSubnet")(ec.CreateSubnet(ctx, &ec2sdk.CreateSubnetInput{VpcId: v.Vpc.VpcId,
			CidrBlock: aws.String(fmt.Sprintf("10.%d.1.0/24", i)), AvailabilityZone: aws.String("us-east-1a")}))
		subnets = append(subnets, aws.ToString(sn.Subnet.SubnetId))
	}
	for range 8 {
		must[*ec2sdk.CreateInternetGatewayOutput](t, "CreateInternetGateway")(ec.CreateInternetGateway(ctx, &ec2sdk.CreateInternetGatewayInput{}))
	}
	var services []string
	for i := range 8 {
		tg := must[*elb.CreateTargetGroupOutput](t, "CreateTargetGroup")(lbc.CreateTargetGroup(ctx, &elb.CreateTargetGroupInput{Name: aws.String(fmt.Sprintf("tg-%d", i)),
			Protocol: elbtypes.ProtocolEnumGeneve, Port: aws.Int32(6081), VpcId: aws.String(vpcs[i]), TargetType: elbtypes.TargetTypeEnumIp}))
		lb := must[*elb.CreateLoadBalancerOutput](t, "CreateLoadBalancer")(lbc.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{Name: aws.String(fmt.Sprintf("lb-%d", i)),
			Type: elbtypes.LoadBalancerTypeEnumGateway, Subnets: []string{subnets[i]}}))
		lis := must[*elb.CreateListenerOutput](t, "CreateListener")(lbc.CreateListener(ctx, &elb.CreateListenerInput{LoadBalancerArn: lb.LoadBalancers[0].LoadBalancerArn,
			DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: tg.TargetGroups[0].TargetGroupArn}}}))
		seed.ListenerArns = append(seed.ListenerArns, aws.ToString(lis.Listeners[0].ListenerArn))
		svc := must[*ec2sdk.CreateVpcEndpointServiceConfigurationOutput](t, "CreateVpcEndpointServiceConfiguration")(ec.CreateVpcEndpointServiceConfiguration(ctx,
			&ec2sdk.CreateVpcEndpointServiceConfigurationInput{GatewayLoadBalancerArns: []string{aws.ToString(lb.LoadBalancers[0].LoadBalancerArn)}, AcceptanceRequired: aws.Bool(false)}))
		services = append(services, aws.ToString(svc.ServiceConfiguration.ServiceName))
		if i == 0 {
			seed.ServiceID = aws.ToString(svc.ServiceConfiguration.ServiceId)
		}
	}
	var principals []string
	for i := range 7 {
		principals = append(principals, fmt.Sprintf("arn:aws:iam::%012d:root", 111122223330+i))
	}
	must[*ec2sdk.ModifyVpcEndpointServicePermissionsOutput](t, "ModifyVpcEndpointServicePermissions")(ec.ModifyVpcEndpointServicePermissions(ctx,
		&ec2sdk.ModifyVpcEndpointServicePermissionsInput{ServiceId: aws.String(seed.ServiceID), AddAllowedPrincipals: principals}))
	for i := 4; i < 12; i++ {
		must[*ec2sdk.CreateVpcEndpointOutput](t, "CreateVpcEndpoint")(ec.CreateVpcEndpoint(ctx, &ec2sdk.CreateVpcEndpointInput{
			VpcEndpointType: ec2types.VpcEndpointTypeGatewayLoadBalancer, ServiceName: aws.String(services[0]), VpcId: aws.String(vpcs[i]), SubnetIds: []string{subnets[i]}}))
	}
	return seed
}

// paged checks one paginated read against the same read unpaged: the
// pages hold every item once, in the same order; every page but the last
// is full; and there are as many pages as the page size makes.
func paged(t *testing.T, what string, size int, all, got []string, pages []int) {
	t.Helper()
	if len(all) <= size {
		t.Errorf("%s: %d items, not more than a page of %d: the seed is too small", what, len(all), size)
		return
	}
	if !slices.Equal(got, all) {
		t.Errorf("%s: pages of %d hold\n %q, want\n %q", what, size, got, all)
	}
	want := (len(all) + size - 1) / size
	if len(pages) != want {
		t.Errorf("%s: %d pages %v, want %d of %d items", what, len(pages), pages, want, size)
	}
	for i, n := range pages {
		if i < len(pages)-1 && n != size {
			t.Errorf("%s: page %d holds %d items, want %d (pages %v)", what, i+1, n, size, pages)
		}
	}
}

// collect reads every page of an SDK paginator.
func collect[O any](t *testing.T, what string, more func() bool, next func(context.Context) (O, error), ids func(O) []string) (got []string, pages []int) {
	t.Helper()
	for more() {
		out, err := next(context.Background())
		if err != nil {
			t.Fatalf("%s page %d: %v", what, len(pages)+1, err)
		}
		page := ids(out)
		got = append(got, page...)
		pages = append(pages, len(page))
		if len(pages) > 100 {
			t.Fatalf("%s: more than 100 pages: the NextToken never ends", what)
		}
	}
	return got, pages
}

func idsOf[T any](items []T, id func(T) *string) []string {
	out := []string{}
	for _, x := range items {
		out = append(out, aws.ToString(id(x)))
	}
	return out
}

// TestSDKPaginators: the AWS SDK for Go's own paginators page every paged
// describe of the API with MaxResults/NextToken (EC2) and
// PageSize/Marker (ELBv2), over more items than a page.
func TestSDKPaginators(t *testing.T) {
	ts := newTestServer(t, nil)
	lbc, ec := ts.clients(t, testAccessKey, testSecretKey)
	seed := seedPaging(t, lbc, ec)
	ctx := context.Background()

	// ELBv2.
	{
		all := must[*elb.DescribeLoadBalancersOutput](t, "DescribeLoadBalancers")(lbc.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{}))
		p := elb.NewDescribeLoadBalancersPaginator(lbc, &elb.DescribeLoadBalancersInput{PageSize: aws.Int32(elbPage)})
		ids := func(o *elb.DescribeLoadBalancersOutput) []string {
			return idsOf(o.LoadBalancers, func(x elbtypes.LoadBalancer) *string { return x.LoadBalancerArn })
		}
		got, pages := collect(t, "DescribeLoadBalancers", p.HasMorePages, func(c context.Context) (*elb.DescribeLoadBalancersOutput, error) { return p.NextPage(c) }, ids)
		paged(t, "DescribeLoadBalancers", elbPage, ids(all), got, pages)
	}
	{
		all := must[*elb.DescribeTargetGroupsOutput](t, "DescribeTargetGroups")(lbc.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{}))
		p := elb.NewDescribeTargetGroupsPaginator(lbc, &elb.DescribeTargetGroupsInput{PageSize: aws.Int32(elbPage)})
		ids := func(o *elb.DescribeTargetGroupsOutput) []string {
			return idsOf(o.TargetGroups, func(x elbtypes.TargetGroup) *string { return x.TargetGroupArn })
		}
		got, pages := collect(t, "DescribeTargetGroups", p.HasMorePages, func(c context.Context) (*elb.DescribeTargetGroupsOutput, error) { return p.NextPage(c) }, ids)
		paged(t, "DescribeTargetGroups", elbPage, ids(all), got, pages)
	}
	{
		all := must[*elb.DescribeListenersOutput](t, "DescribeListeners")(lbc.DescribeListeners(ctx, &elb.DescribeListenersInput{ListenerArns: seed.ListenerArns}))
		p := elb.NewDescribeListenersPaginator(lbc, &elb.DescribeListenersInput{ListenerArns: seed.ListenerArns, PageSize: aws.Int32(elbPage)})
		ids := func(o *elb.DescribeListenersOutput) []string {
			return idsOf(o.Listeners, func(x elbtypes.Listener) *string { return x.ListenerArn })
		}
		got, pages := collect(t, "DescribeListeners", p.HasMorePages, func(c context.Context) (*elb.DescribeListenersOutput, error) { return p.NextPage(c) }, ids)
		paged(t, "DescribeListeners", elbPage, ids(all), got, pages)
	}

	// EC2.
	limit := aws.Int32(ec2Page)
	{
		all := must[*ec2sdk.DescribeVpcsOutput](t, "DescribeVpcs")(ec.DescribeVpcs(ctx, &ec2sdk.DescribeVpcsInput{}))
		p := ec2sdk.NewDescribeVpcsPaginator(ec, &ec2sdk.DescribeVpcsInput{MaxResults: limit})
		ids := func(o *ec2sdk.DescribeVpcsOutput) []string {
			return idsOf(o.Vpcs, func(x ec2types.Vpc) *string { return x.VpcId })
		}
		got, pages := collect(t, "DescribeVpcs", p.HasMorePages, func(c context.Context) (*ec2sdk.DescribeVpcsOutput, error) { return p.NextPage(c) }, ids)
		paged(t, "DescribeVpcs", ec2Page, ids(all), got, pages)
	}
	{
		all := must[*ec2sdk.DescribeSubnetsOutput](t, "DescribeSubnets")(ec.DescribeSubnets(ctx, &ec2sdk.DescribeSubnetsInput{}))
		p := ec2sdk.NewDescribeSubnetsPaginator(ec, &ec2sdk.DescribeSubnetsInput{MaxResults: limit})
		ids := func(o *ec2sdk.DescribeSubnetsOutput) []string {
			return idsOf(o.Subnets, func(x ec2types.Subnet) *string { return x.SubnetId })
		}
		got, pages := collect(t, "DescribeSubnets", p.HasMorePages, func(c context.Context) (*ec2sdk.DescribeSubnetsOutput, error) { return p.NextPage(c) }, ids)
		paged(t, "DescribeSubnets", ec2Page, ids(all), got, pages)
	}
	{
		all := must[*ec2sdk.DescribeRouteTablesOutput](t, "DescribeRouteTables")(ec.DescribeRouteTables(ctx, &ec2sdk.DescribeRouteTablesInput{}))
		p := ec2sdk.NewDescribeRouteTablesPaginator(ec, &ec2sdk.DescribeRouteTablesInput{MaxResults: limit})
		ids := func(o *ec2sdk.DescribeRouteTablesOutput) []string {
			return idsOf(o.RouteTables, func(x ec2types.RouteTable) *string { return x.RouteTableId })
		}
		got, pages := collect(t, "DescribeRouteTables", p.HasMorePages, func(c context.Context) (*ec2sdk.DescribeRouteTablesOutput, error) { return p.NextPage(c) }, ids)
		paged(t, "DescribeRouteTables", ec2Page, ids(all), got, pages)
	}
	{
		all := must[*ec2sdk.DescribeInternetGatewaysOutput](t, "DescribeInternetGateways")(ec.DescribeInternetGateways(ctx, &ec2sdk.DescribeInternetGatewaysInput{}))
		p := ec2sdk.NewDescribeInternetGatewaysPaginator(ec, &ec2sdk.DescribeInternetGatewaysInput{MaxResults: limit})
		ids := func(o *ec2sdk.DescribeInternetGatewaysOutput) []string {
			return idsOf(o.InternetGateways, func(x ec2types.InternetGateway) *string { return x.InternetGatewayId })
		}
		got, pages := collect(t, "DescribeInternetGateways", p.HasMorePages, func(c context.Context) (*ec2sdk.DescribeInternetGatewaysOutput, error) { return p.NextPage(c) }, ids)
		paged(t, "DescribeInternetGateways", ec2Page, ids(all), got, pages)
	}
	{
		all := must[*ec2sdk.DescribeVpcEndpointServiceConfigurationsOutput](t, "DescribeVpcEndpointServiceConfigurations")(ec.DescribeVpcEndpointServiceConfigurations(ctx, &ec2sdk.DescribeVpcEndpointServiceConfigurationsInput{}))
		p := ec2sdk.NewDescribeVpcEndpointServiceConfigurationsPaginator(ec, &ec2sdk.DescribeVpcEndpointServiceConfigurationsInput{MaxResults: limit})
		ids := func(o *ec2sdk.DescribeVpcEndpointServiceConfigurationsOutput) []string {
			return idsOf(o.ServiceConfigurations, func(x ec2types.ServiceConfiguration) *string { return x.ServiceId })
		}
		got, pages := collect(t, "DescribeVpcEndpointServiceConfigurations", p.HasMorePages, func(c context.Context) (*ec2sdk.DescribeVpcEndpointServiceConfigurationsOutput, error) {
			return p.NextPage(c)
		}, ids)
		paged(t, "DescribeVpcEndpointServiceConfigurations", ec2Page, ids(all), got, pages)
	}
	{
		in := func() *ec2sdk.DescribeVpcEndpointServicePermissionsInput {
			return &ec2sdk.DescribeVpcEndpointServicePermissionsInput{ServiceId: aws.String(seed.ServiceID)}
		}
		all := must[*ec2sdk.DescribeVpcEndpointServicePermissionsOutput](t, "DescribeVpcEndpointServicePermissions")(ec.DescribeVpcEndpointServicePermissions(ctx, in()))
		pin := in()
		pin.MaxResults = limit
		p := ec2sdk.NewDescribeVpcEndpointServicePermissionsPaginator(ec, pin)
		ids := func(o *ec2sdk.DescribeVpcEndpointServicePermissionsOutput) []string {
			return idsOf(o.AllowedPrincipals, func(x ec2types.AllowedPrincipal) *string { return x.Principal })
		}
		got, pages := collect(t, "DescribeVpcEndpointServicePermissions", p.HasMorePages, func(c context.Context) (*ec2sdk.DescribeVpcEndpointServicePermissionsOutput, error) {
			return p.NextPage(c)
		}, ids)
		paged(t, "DescribeVpcEndpointServicePermissions", ec2Page, ids(all), got, pages)
	}
	{
		all := must[*ec2sdk.DescribeVpcEndpointsOutput](t, "DescribeVpcEndpoints")(ec.DescribeVpcEndpoints(ctx, &ec2sdk.DescribeVpcEndpointsInput{}))
		p := ec2sdk.NewDescribeVpcEndpointsPaginator(ec, &ec2sdk.DescribeVpcEndpointsInput{MaxResults: limit})
		ids := func(o *ec2sdk.DescribeVpcEndpointsOutput) []string {
			return idsOf(o.VpcEndpoints, func(x ec2types.VpcEndpoint) *string { return x.VpcEndpointId })
		}
		got, pages := collect(t, "DescribeVpcEndpoints", p.HasMorePages, func(c context.Context) (*ec2sdk.DescribeVpcEndpointsOutput, error) { return p.NextPage(c) }, ids)
		paged(t, "DescribeVpcEndpoints", ec2Page, ids(all), got, pages)
	}
	{
		all := must[*ec2sdk.DescribeVpcEndpointConnectionsOutput](t, "DescribeVpcEndpointConnections")(ec.DescribeVpcEndpointConnections(ctx, &ec2sdk.DescribeVpcEndpointConnectionsInput{}))
		p := ec2sdk.NewDescribeVpcEndpointConnectionsPaginator(ec, &ec2sdk.DescribeVpcEndpointConnectionsInput{MaxResults: limit})
		ids := func(o *ec2sdk.DescribeVpcEndpointConnectionsOutput) []string {
			return idsOf(o.VpcEndpointConnections, func(x ec2types.VpcEndpointConnection) *string { return x.VpcEndpointId })
		}
		got, pages := collect(t, "DescribeVpcEndpointConnections", p.HasMorePages, func(c context.Context) (*ec2sdk.DescribeVpcEndpointConnectionsOutput, error) { return p.NextPage(c) }, ids)
		paged(t, "DescribeVpcEndpointConnections", ec2Page, ids(all), got, pages)
	}
	{
		all := must[*ec2sdk.DescribeTagsOutput](t, "DescribeTags")(ec.DescribeTags(ctx, &ec2sdk.DescribeTagsInput{}))
		p := ec2sdk.NewDescribeTagsPaginator(ec, &ec2sdk.DescribeTagsInput{MaxResults: limit})
		ids := func(o *ec2sdk.DescribeTagsOutput) []string {
			return idsOf(o.Tags, func(x ec2types.TagDescription) *string { return x.ResourceId })
		}
		got, pages := collect(t, "DescribeTags", p.HasMorePages, func(c context.Context) (*ec2sdk.DescribeTagsOutput, error) { return p.NextPage(c) }, ids)
		paged(t, "DescribeTags", ec2Page, ids(all), got, pages)
	}
	{
		// The SDK has no paginator for DescribeVpcEndpointServices: the
		// loop every caller writes.
		all := must[*ec2sdk.DescribeVpcEndpointServicesOutput](t, "DescribeVpcEndpointServices")(ec.DescribeVpcEndpointServices(ctx, &ec2sdk.DescribeVpcEndpointServicesInput{}))
		var got []string
		var pages []int
		in := &ec2sdk.DescribeVpcEndpointServicesInput{MaxResults: limit}
		for {
			out := must[*ec2sdk.DescribeVpcEndpointServicesOutput](t, "DescribeVpcEndpointServices")(ec.DescribeVpcEndpointServices(ctx, in))
			names := idsOf(out.ServiceDetails, func(x ec2types.ServiceDetail) *string { return x.ServiceName })
			if !slices.Equal(names, out.ServiceNames) {
				t.Errorf("DescribeVpcEndpointServices page %d: ServiceNames %q, ServiceDetails of %q", len(pages)+1, out.ServiceNames, names)
			}
			got, pages = append(got, names...), append(pages, len(names))
			if out.NextToken == nil || len(pages) > 100 {
				break
			}
			in.NextToken = out.NextToken
		}
		paged(t, "DescribeVpcEndpointServices", ec2Page, all.ServiceNames, got, pages)
	}

	// A token the server did not issue is refused with EC2's code.
	if _, err := ec.DescribeVpcs(ctx, &ec2sdk.DescribeVpcsInput{MaxResults: limit, NextToken: aws.String("not-a-token")}); apiCode(err) != "InvalidPaginationToken" {
		t.Errorf("DescribeVpcs with a foreign NextToken: %v, want InvalidPaginationToken", err)
	}
	if _, err := lbc.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{Marker: aws.String("not-a-marker")}); apiCode(err) != "ValidationError" {
		t.Errorf("DescribeLoadBalancers with a foreign Marker: %v, want ValidationError", err)
	}
	if _, err := lbc.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{PageSize: aws.Int32(401)}); apiCode(err) != "ValidationError" {
		t.Errorf("DescribeTargetGroups PageSize 401: %v, want ValidationError", err)
	}
	checkWithBotocore(t, ts.Exchanges())
}

// TestBoto3Paginators: boto3's own paginators (what the AWS CLI's
// --page-size, --max-items and --starting-token run on) page every paged
// describe of the API, PageSize and MaxItems alike.
func TestBoto3Paginators(t *testing.T) {
	pyclient.Need(t, true)
	ts := newTestServer(t, nil)
	lbc, ec := ts.clients(t, testAccessKey, testSecretKey)
	seed := seedPaging(t, lbc, ec)
	params, err := json.Marshal(seed)
	if err != nil {
		t.Fatal(err)
	}
	cmd := pyclient.Command(t, awsapiDir, "boto3_paginate.py", "--endpoint", ts.URL, "--params", string(params),
		"--ec2-page", fmt.Sprint(ec2Page), "--elb-page", fmt.Sprint(elbPage))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	t.Logf("boto3_paginate.py:\n%s", out)
	if err != nil {
		t.Fatalf("boto3_paginate.py: %v\n%s", err, stderr.String())
	}
}
