package control

import (
	"fmt"
	"slices"
	"testing"
)

// TestPagination: MaxResults/NextToken (EC2) and PageSize/Marker (ELBv2)
// cut the list into pages that add up to the whole, in order; a token
// survives items deleted before the resume point; bad limits and tokens
// are refused with EC2's and ELBv2's codes.
func TestPagination(t *testing.T) {
	f := newFixture(t)
	s, env := f.s, f.env
	for i := range 10 {
		must(s.CreateVpc(env, CreateVpcInput{CidrBlock: fmt.Sprintf("10.%d.0.0/16", 100+i)}))(t)
	}
	all := must(s.DescribeVpcs(env, DescribeVpcsInput{}))(t)
	if len(all.Vpcs) != 12 || all.NextToken != "" {
		t.Fatalf("unpaged: %d vpcs, token %q", len(all.Vpcs), all.NextToken)
	}
	var got []string
	token := ""
	for calls := 0; ; calls++ {
		if calls > 5 {
			t.Fatal("pagination does not end")
		}
		out := must(s.DescribeVpcs(env, DescribeVpcsInput{MaxResults: ptr(5), NextToken: token}))(t)
		if len(out.Vpcs) > 5 {
			t.Fatalf("page of %d", len(out.Vpcs))
		}
		for _, v := range out.Vpcs {
			got = append(got, v.VpcId)
		}
		if token = out.NextToken; token == "" {
			break
		}
	}
	var want []string
	for _, v := range all.Vpcs {
		want = append(want, v.VpcId)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("pages %v, want %v", got, want)
	}

	// A VPC before the resume point goes away: the next page starts after
	// the last VPC returned all the same.
	p1 := must(s.DescribeVpcs(env, DescribeVpcsInput{MaxResults: ptr(5)}))(t)
	must(s.DeleteVpc(env, DeleteVpcInput{VpcId: want[2]}))(t)
	p2 := must(s.DescribeVpcs(env, DescribeVpcsInput{MaxResults: ptr(5), NextToken: p1.NextToken}))(t)
	if p2.Vpcs[0].VpcId != want[5] {
		t.Fatalf("after a deletion the next page starts at %s, want %s", p2.Vpcs[0].VpcId, want[5])
	}

	for _, c := range []struct {
		name string
		err  error
		code string
	}{
		{"ec2 below 5", errOf(s.DescribeVpcs(env, DescribeVpcsInput{MaxResults: ptr(4)})), CodeInvalidParameterValue},
		{"ec2 above 1000", errOf(s.DescribeSubnets(env, DescribeSubnetsInput{MaxResults: ptr(1001)})), CodeInvalidParameterValue},
		{"route tables above 100", errOf(s.DescribeRouteTables(env, DescribeRouteTablesInput{MaxResults: ptr(101)})), CodeInvalidParameterValue},
		{"ec2 bad token", errOf(s.DescribeVpcs(env, DescribeVpcsInput{NextToken: "not-a-token"})), CodeInvalidPaginationToken},
		{"elb page size 0", errOf(s.DescribeLoadBalancers(env, DescribeLoadBalancersInput{PageSize: ptr(0)})), CodeValidationError},
		{"elb page size 401", errOf(s.DescribeTargetGroups(env, DescribeTargetGroupsInput{PageSize: ptr(401)})), CodeValidationError},
		{"elb bad marker", errOf(s.DescribeListeners(env, DescribeListenersInput{LoadBalancerArn: f.lbArn, Marker: "%%%"})), CodeValidationError},
	} {
		if ErrorCode(c.err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, c.err, c.code)
		}
	}
	// Endpoint actions return at most 1000 instead of refusing more.
	if _, err := s.DescribeVpcEndpoints(env, DescribeVpcEndpointsInput{MaxResults: ptr(5000)}); err != nil {
		t.Errorf("MaxResults 5000 for endpoints: %v", err)
	}

	// ELBv2: PageSize and NextMarker.
	for i := range 3 {
		must(s.CreateLoadBalancer(env, CreateLoadBalancerInput{Name: fmt.Sprintf("lb-%d", i), Subnets: []string{f.subC}}))(t)
	}
	lp := must(s.DescribeLoadBalancers(env, DescribeLoadBalancersInput{PageSize: ptr(3)}))(t)
	if len(lp.LoadBalancers) != 3 || lp.NextMarker == "" {
		t.Fatalf("first page: %d, marker %q", len(lp.LoadBalancers), lp.NextMarker)
	}
	lp2 := must(s.DescribeLoadBalancers(env, DescribeLoadBalancersInput{PageSize: ptr(3), Marker: lp.NextMarker}))(t)
	if len(lp2.LoadBalancers) != 1 || lp2.NextMarker != "" || lp2.LoadBalancers[0].LoadBalancerName != "lb-2" {
		t.Fatalf("last page: %+v", lp2)
	}
}

// TestDescribeVpcEndpointServices: a consumer finds a service by name when
// it is allowed to use it, and the service does not exist for others.
func TestDescribeVpcEndpointServices(t *testing.T) {
	f := newFixture(t)
	s := f.s
	out := must(s.DescribeVpcEndpointServices(f.env, DescribeVpcEndpointServicesInput{ServiceNames: []string{f.svcName}}))(t)
	if len(out.ServiceDetails) != 1 || !slices.Equal(out.ServiceNames, []string{f.svcName}) {
		t.Fatalf("owner's look-up: %+v", out)
	}
	d := out.ServiceDetails[0]
	if d.ServiceId != f.svcID || d.Owner != f.env.Account || d.ServiceType[0].ServiceType != "GatewayLoadBalancer" || !d.AcceptanceRequired ||
		!slices.Equal(d.AvailabilityZones, []string{"us-east-1a", "us-east-1b"}) || d.Tags == nil || d.BaseEndpointDnsNames[0] != f.svcID+".us-east-1.vpce.amazonaws.com" {
		t.Fatalf("detail: %+v", d)
	}
	other := f.otherAccount()
	if err := errOf(s.DescribeVpcEndpointServices(other, DescribeVpcEndpointServicesInput{ServiceNames: []string{f.svcName}})); ErrorCode(err) != CodeInvalidServiceName {
		t.Fatalf("not allowed: %v", err)
	}
	if out := must(s.DescribeVpcEndpointServices(other, DescribeVpcEndpointServicesInput{}))(t); len(out.ServiceNames) != 0 {
		t.Fatalf("listing shows a service the caller may not use: %+v", out)
	}
	must(s.ModifyVpcEndpointServicePermissions(f.env, ModifyVpcEndpointServicePermissionsInput{ServiceId: f.svcID, AddAllowedPrincipals: []string{other.Principal()}}))(t)
	out = must(s.DescribeVpcEndpointServices(other, DescribeVpcEndpointServicesInput{Filters: []Filter{{Name: "service-type", Values: []string{"GatewayLoadBalancer"}}}}))(t)
	if len(out.ServiceDetails) != 1 {
		t.Fatalf("allowed consumer: %+v", out)
	}
	if out := must(s.DescribeVpcEndpointServices(other, DescribeVpcEndpointServicesInput{Filters: []Filter{{Name: "owner", Values: []string{"999999999999"}}}}))(t); len(out.ServiceDetails) != 0 {
		t.Fatalf("owner filter: %+v", out)
	}
}
