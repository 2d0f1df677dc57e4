package control

import (
	"strings"
	"testing"
)

func nameTag(kind, name string) []TagSpecification {
	return []TagSpecification{{ResourceType: kind, Tags: []Tag{{Key: "Name", Value: name}}}}
}

// TestClientTokenRouteTable: EC2's idempotency for CreateRouteTable. The
// same token and parameters return the route table the first request made
// (no second one); the same token with other parameters is refused with
// IdempotentParameterMismatch and changes nothing.
func TestClientTokenRouteTable(t *testing.T) {
	f := newFixture(t)
	s, env := f.s, f.env
	in := CreateRouteTableInput{VpcId: f.vpc, ClientToken: "rt-token-1", TagSpecifications: nameTag("route-table", "inspection")}
	first := must(s.CreateRouteTable(env, in))(t)
	if first.ClientToken != in.ClientToken {
		t.Errorf("output ClientToken %q, want %q", first.ClientToken, in.ClientToken)
	}
	n := len(s.RouteTables)
	again := must(s.CreateRouteTable(env, in))(t)
	if again.RouteTable.RouteTableId != first.RouteTable.RouteTableId || len(s.RouteTables) != n {
		t.Fatalf("retry made %s (%d tables), want %s (%d)", again.RouteTable.RouteTableId, len(s.RouteTables), first.RouteTable.RouteTableId, n)
	}
	before := stateJSON(t, s)
	for name, other := range map[string]CreateRouteTableInput{
		"another VPC":  {VpcId: f.consumer, ClientToken: in.ClientToken, TagSpecifications: in.TagSpecifications},
		"another tag":  {VpcId: f.vpc, ClientToken: in.ClientToken, TagSpecifications: nameTag("route-table", "other")},
		"no tags":      {VpcId: f.vpc, ClientToken: in.ClientToken},
		"dry run, too": {VpcId: f.consumer, ClientToken: in.ClientToken, DryRun: true},
	} {
		_, err := s.CreateRouteTable(env, other)
		if ErrorCode(err) != CodeIdempotentParameterMismatch || !strings.Contains(err.Error(), in.ClientToken) {
			t.Errorf("%s: %v, want %s naming the token", name, err, CodeIdempotentParameterMismatch)
		}
	}
	if stateJSON(t, s) != before {
		t.Error("a refused retry changed the state")
	}
	// A dry run of the retry would succeed; another token is another table.
	dry := in
	dry.DryRun = true
	if _, err := s.CreateRouteTable(env, dry); ErrorCode(err) != CodeDryRunOperation {
		t.Errorf("dry-run retry: %v", err)
	}
	other := must(s.CreateRouteTable(env, CreateRouteTableInput{VpcId: f.vpc, ClientToken: "rt-token-2", TagSpecifications: in.TagSpecifications}))(t)
	if other.RouteTable.RouteTableId == first.RouteTable.RouteTableId {
		t.Error("a second token returned the first token's table")
	}
	// Without a token every create is a new table.
	a := must(s.CreateRouteTable(env, CreateRouteTableInput{VpcId: f.vpc}))(t)
	b := must(s.CreateRouteTable(env, CreateRouteTableInput{VpcId: f.vpc}))(t)
	if a.RouteTable.RouteTableId == b.RouteTable.RouteTableId || a.ClientToken != "" {
		t.Error("creates without a token")
	}
	// Deleted, the table's token is forgotten: the retry creates anew.
	must(s.DeleteRouteTable(env, DeleteRouteTableInput{RouteTableId: first.RouteTable.RouteTableId}))(t)
	fresh := must(s.CreateRouteTable(env, in))(t)
	if fresh.RouteTable.RouteTableId == first.RouteTable.RouteTableId || s.RouteTable(fresh.RouteTable.RouteTableId) == nil {
		t.Errorf("retry after delete: %s", fresh.RouteTable.RouteTableId)
	}
	if got := must(s.CreateRouteTable(env, in))(t); got.RouteTable.RouteTableId != fresh.RouteTable.RouteTableId {
		t.Error("the token now names the new table")
	}
	if err := s.Check(); err != nil {
		t.Error(err)
	}
}

func TestClientTokenEndpointService(t *testing.T) {
	f := newFixture(t)
	s, env := f.s, f.env
	lb := must(s.CreateLoadBalancer(env, CreateLoadBalancerInput{Name: "gwlb2", Type: "gateway", Subnets: []string{f.subA}}))(t).LoadBalancers[0].LoadBalancerArn
	in := CreateVpcEndpointServiceConfigurationInput{GatewayLoadBalancerArns: []string{lb}, AcceptanceRequired: ptr(false), ClientToken: "svc-token"}
	first := must(s.CreateVpcEndpointServiceConfiguration(env, in))(t)
	n := len(s.EndpointServices)
	again := must(s.CreateVpcEndpointServiceConfiguration(env, in))(t)
	if again.ServiceConfiguration.ServiceId != first.ServiceConfiguration.ServiceId || len(s.EndpointServices) != n || again.ClientToken != in.ClientToken {
		t.Fatalf("retry: %+v, %d services", again, len(s.EndpointServices))
	}
	before := stateJSON(t, s)
	for name, other := range map[string]CreateVpcEndpointServiceConfigurationInput{
		"acceptance":   {GatewayLoadBalancerArns: []string{lb}, AcceptanceRequired: ptr(true), ClientToken: in.ClientToken},
		"default":      {GatewayLoadBalancerArns: []string{lb}, ClientToken: in.ClientToken},
		"another lb":   {GatewayLoadBalancerArns: []string{f.lbArn}, AcceptanceRequired: ptr(false), ClientToken: in.ClientToken},
		"tags":         {GatewayLoadBalancerArns: []string{lb}, AcceptanceRequired: ptr(false), ClientToken: in.ClientToken, TagSpecifications: nameTag("vpc-endpoint-service", "x")},
		"address type": {GatewayLoadBalancerArns: []string{lb}, AcceptanceRequired: ptr(false), ClientToken: in.ClientToken, SupportedIpAddressTypes: []string{"ipv4", "ipv6"}},
	} {
		if _, err := s.CreateVpcEndpointServiceConfiguration(env, other); ErrorCode(err) != CodeIdempotentParameterMismatch {
			t.Errorf("%s: %v, want %s", name, err, CodeIdempotentParameterMismatch)
		}
	}
	if stateJSON(t, s) != before {
		t.Error("a refused retry changed the state")
	}
}

func TestClientTokenEndpoint(t *testing.T) {
	f := newFixture(t)
	s, env := f.s, f.env
	vpc := must(s.CreateVpc(env, CreateVpcInput{CidrBlock: "10.9.0.0/16"}))(t).Vpc.VpcId
	subB := must(s.CreateSubnet(env, CreateSubnetInput{VpcId: vpc, CidrBlock: "10.9.2.0/24", AvailabilityZone: "us-east-1b"}))(t).Subnet.SubnetId
	in := CreateVpcEndpointInput{VpcEndpointType: "GatewayLoadBalancer", VpcId: vpc, ServiceName: f.svcName, SubnetIds: []string{subB},
		ClientToken: "ep-token", TagSpecifications: nameTag("vpc-endpoint", "inspection")}
	first := must(s.CreateVpcEndpoint(env, in))(t)
	n := len(s.Endpoints)
	again := must(s.CreateVpcEndpoint(env, in))(t)
	if again.VpcEndpoint.VpcEndpointId != first.VpcEndpoint.VpcEndpointId || len(s.Endpoints) != n {
		t.Fatalf("retry made %s, %d endpoints", again.VpcEndpoint.VpcEndpointId, len(s.Endpoints))
	}
	before := stateJSON(t, s)
	for name, other := range map[string]CreateVpcEndpointInput{
		"tags":         {VpcEndpointType: "GatewayLoadBalancer", VpcId: vpc, ServiceName: f.svcName, SubnetIds: []string{subB}, ClientToken: in.ClientToken},
		"address type": {VpcEndpointType: "GatewayLoadBalancer", VpcId: vpc, ServiceName: f.svcName, SubnetIds: []string{subB}, ClientToken: in.ClientToken, TagSpecifications: in.TagSpecifications, IpAddressType: "ipv4"},
		"another VPC":  {VpcEndpointType: "GatewayLoadBalancer", VpcId: f.consumer, ServiceName: f.svcName, SubnetIds: []string{f.consA}, ClientToken: in.ClientToken, TagSpecifications: in.TagSpecifications},
	} {
		if _, err := s.CreateVpcEndpoint(env, other); ErrorCode(err) != CodeIdempotentParameterMismatch {
			t.Errorf("%s: %v, want %s", name, err, CodeIdempotentParameterMismatch)
		}
	}
	if stateJSON(t, s) != before {
		t.Error("a refused retry changed the state")
	}
}

func TestClientTokenBadTokens(t *testing.T) {
	f := newFixture(t)
	before := stateJSON(t, f.s)
	for _, tok := range []string{strings.Repeat("x", MaxClientTokenLength+1), "tab\there", "é"} {
		_, err := f.s.CreateRouteTable(f.env, CreateRouteTableInput{VpcId: f.vpc, ClientToken: tok})
		if ErrorCode(err) != CodeInvalidParameterValue || !strings.Contains(err.Error(), "Client token") {
			t.Errorf("token %q: %v", tok, err)
		}
	}
	if stateJSON(t, f.s) != before {
		t.Error("a refused token changed the state")
	}
	if _, err := f.s.CreateRouteTable(f.env, CreateRouteTableInput{VpcId: f.vpc, ClientToken: strings.Repeat("x", MaxClientTokenLength)}); err != nil {
		t.Errorf("a %d-character token: %v", MaxClientTokenLength, err)
	}
	f.s.ClientTokens = append(f.s.ClientTokens, &ClientTokenRecord{Operation: "CreateRouteTable", Token: "t"})
	if err := f.s.Check(); err == nil || !strings.Contains(err.Error(), "clientTokens[1]") {
		t.Errorf("Check of a token record without a resource: %v", err)
	}
}

func TestRequestDigest(t *testing.T) {
	d := func(in any) string {
		t.Helper()
		s, err := RequestDigest(in)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	base := CreateVpcEndpointInput{VpcId: "vpc-1", SubnetIds: []string{"subnet-1"}}
	same := []CreateVpcEndpointInput{
		{VpcId: "vpc-1", SubnetIds: []string{"subnet-1"}, ClientToken: "a"},
		{VpcId: "vpc-1", SubnetIds: []string{"subnet-1"}, DryRun: true},
		{VpcId: "vpc-1", SubnetIds: []string{"subnet-1"}, RouteTableIds: []string{}, TagSpecifications: []TagSpecification{}},
	}
	for _, in := range same {
		if d(in) != d(base) {
			t.Errorf("%+v digests differently from %+v", in, base)
		}
	}
	differ := []CreateVpcEndpointInput{
		{VpcId: "vpc-2", SubnetIds: []string{"subnet-1"}},
		{VpcId: "vpc-1", SubnetIds: []string{"subnet-2"}},
		{VpcId: "vpc-1", SubnetIds: []string{"subnet-1"}, PrivateDnsEnabled: ptr(false)},
	}
	for _, in := range differ {
		if d(in) == d(base) {
			t.Errorf("%+v digests like %+v", in, base)
		}
	}
}
