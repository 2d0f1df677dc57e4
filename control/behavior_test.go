package control

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestIdentifierFormats(t *testing.T) {
	f := newFixture(t)
	lb := f.s.LoadBalancerByArn(f.lbArn).LoadBalancer
	checks := map[string]struct{ re, v string }{
		"vpc":         {`^vpc-0[0-9a-f]{16}$`, f.vpc},
		"subnet":      {`^subnet-0[0-9a-f]{16}$`, f.subA},
		"lb arn":      {`^arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/gwy/gwlb/[0-9a-f]{16}$`, f.lbArn},
		"lb dns":      {`^gwlb-[0-9a-f]{16}\.elb\.us-east-1\.amazonaws\.com$`, lb.DNSName},
		"tg arn":      {`^arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/appliances/[0-9a-f]{16}$`, f.tgArn},
		"listener":    {`^arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/gwy/gwlb/[0-9a-f]{16}/[0-9a-f]{16}$`, f.listenerArn},
		"service id":  {`^vpce-svc-0[0-9a-f]{16}$`, f.svcID},
		"service":     {`^com\.amazonaws\.vpce\.us-east-1\.vpce-svc-0[0-9a-f]{16}$`, f.svcName},
		"endpoint":    {`^vpce-0[0-9a-f]{16}$`, f.epID},
		"subnet arn":  {`^arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0[0-9a-f]{16}$`, f.s.Subnet(f.subA).SubnetArn},
		"zone id":     {`^use1-az1$`, f.s.Subnet(f.subA).AvailabilityZoneId},
		"eni":         {`^eni-0[0-9a-f]{16}$`, f.s.Endpoint(f.epID).Endpoint.NetworkInterfaceIds[0]},
		"listener lb": {`^` + regexp.QuoteMeta(strings.Split(f.lbArn, "loadbalancer/")[1]), strings.Split(f.listenerArn, "listener/")[1]},
	}
	for name, c := range checks {
		if !regexp.MustCompile(c.re).MatchString(c.v) {
			t.Errorf("%s %q does not match %s", name, c.v, c.re)
		}
	}
	if got := zoneID("eu-central-1b"); got != "euc1-az2" {
		t.Errorf("zoneID(eu-central-1b) = %s", got)
	}
}

func TestOutputShapesMatchTheAWSCLI(t *testing.T) {
	f := newFixture(t)
	out := must(f.s.DescribeLoadBalancers(f.env, DescribeLoadBalancersInput{Names: []string{"gwlb"}}))(t)
	b, _ := json.Marshal(out)
	var generic map[string][]map[string]any
	if err := json.Unmarshal(b, &generic); err != nil {
		t.Fatal(err)
	}
	lb := generic["LoadBalancers"][0]
	for _, k := range []string{"LoadBalancerArn", "DNSName", "CreatedTime", "LoadBalancerName", "VpcId", "State", "Type", "AvailabilityZones", "IpAddressType"} {
		if _, ok := lb[k]; !ok {
			t.Errorf("LoadBalancers[0] lacks %s: %s", k, b)
		}
	}
	if lb["Type"] != "gateway" || lb["CreatedTime"] != "2026-01-02T03:04:05+00:00" {
		t.Errorf("Type/CreatedTime = %v/%v", lb["Type"], lb["CreatedTime"])
	}
	if z := lb["AvailabilityZones"].([]any)[0].(map[string]any); z["ZoneName"] != "us-east-1a" || z["SubnetId"] != f.subA {
		t.Errorf("AvailabilityZones[0] = %v", z)
	}
	ls := must(f.s.DescribeListeners(f.env, DescribeListenersInput{LoadBalancerArn: f.lbArn}))(t)
	b, _ = json.Marshal(ls)
	want := `{"Listeners":[{"ListenerArn":"` + f.listenerArn + `","LoadBalancerArn":"` + f.lbArn + `","DefaultActions":[{"Type":"forward","TargetGroupArn":"` + f.tgArn +
		`","ForwardConfig":{"TargetGroups":[{"TargetGroupArn":"` + f.tgArn + `","Weight":1}],"TargetGroupStickinessConfig":{"Enabled":false}}}]}]}`
	if string(b) != want {
		t.Errorf("describe-listeners\n got %s\nwant %s", b, want)
	}
	th := must(f.s.DescribeTargetHealth(f.env, DescribeTargetHealthInput{TargetGroupArn: f.tgArn}))(t)
	b, _ = json.Marshal(th)
	want = `{"TargetHealthDescriptions":[{"Target":{"Id":"10.0.1.10","Port":6081,"AvailabilityZone":"us-east-1a"},"HealthCheckPort":"80","TargetHealth":{"State":"initial","Reason":"Elb.RegistrationInProgress","Description":"Target registration is in progress"}}]}`
	if string(b) != want {
		t.Errorf("describe-target-health\n got %s\nwant %s", b, want)
	}
	attrs := must(f.s.DescribeTargetGroupAttributes(f.env, DescribeTargetGroupAttributesInput{TargetGroupArn: f.tgArn}))(t)
	b, _ = json.Marshal(attrs)
	want = `{"Attributes":[{"Key":"deregistration_delay.timeout_seconds","Value":"300"},{"Key":"stickiness.enabled","Value":"false"},{"Key":"stickiness.type","Value":"source_ip_dest_ip_proto"},{"Key":"target_failover.on_deregistration","Value":"no_rebalance"},{"Key":"target_failover.on_unhealthy","Value":"no_rebalance"}]}`
	if string(b) != want {
		t.Errorf("target group attributes\n got %s\nwant %s", b, want)
	}
	la := must(f.s.DescribeListenerAttributes(f.env, DescribeListenerAttributesInput{ListenerArn: f.listenerArn}))(t)
	if b, _ = json.Marshal(la); string(b) != `{"Attributes":[{"Key":"tcp.idle_timeout.seconds","Value":"350"}]}` {
		t.Errorf("listener attributes %s", b)
	}
	lba := must(f.s.DescribeLoadBalancerAttributes(f.env, DescribeLoadBalancerAttributesInput{LoadBalancerArn: f.lbArn}))(t)
	if b, _ = json.Marshal(lba); string(b) != `{"Attributes":[{"Key":"deletion_protection.enabled","Value":"false"},{"Key":"load_balancing.cross_zone.enabled","Value":"false"}]}` {
		t.Errorf("load balancer attributes %s", b)
	}
	// Timestamps with microseconds print as the AWS CLI does.
	if s := NewTimestamp(time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)).String(); s != "2026-01-02T03:04:05.123000+00:00" {
		t.Errorf("timestamp %s", s)
	}
	var ts Timestamp
	if err := json.Unmarshal([]byte(`"2026-01-02T03:04:05.123456+00:00"`), &ts); err != nil || ts.Nanosecond() != 123456000 {
		t.Errorf("timestamp round trip: %v %v", ts, err)
	}
}

func TestErrorText(t *testing.T) {
	err := newError("CreateLoadBalancer", CodeDuplicateLoadBalancerName, "A load balancer with the same name 'x' exists")
	want := "An error occurred (DuplicateLoadBalancerName) when calling the CreateLoadBalancer operation: A load balancer with the same name 'x' exists"
	if err.Error() != want {
		t.Fatalf("got %q", err.Error())
	}
}

func TestCreatesAreIdempotent(t *testing.T) {
	f := newFixture(t)
	s, env := f.s, f.env
	before := stateJSON(t, s)
	lb := must(s.CreateLoadBalancer(env, lbIn("gwlb", f.subB, f.subA)))(t) // same subnets, other order
	tg := must(s.CreateTargetGroup(env, CreateTargetGroupInput{Name: "appliances", Protocol: "geneve", Port: ptr(6081), VpcId: f.vpc, TargetType: "ip"}))(t)
	l := must(s.CreateListener(env, CreateListenerInput{LoadBalancerArn: f.lbArn, DefaultActions: []Action{{Type: "forward", TargetGroupArn: f.tgArn}}}))(t)
	svc := must(s.CreateVpcEndpointServiceConfiguration(env, CreateVpcEndpointServiceConfigurationInput{AcceptanceRequired: ptr(true), GatewayLoadBalancerArns: []string{f.lbArn}}))(t)
	ep := must(s.CreateVpcEndpoint(env, CreateVpcEndpointInput{VpcEndpointType: "GatewayLoadBalancer", VpcId: f.consumer, ServiceName: f.svcName, SubnetIds: []string{f.consA}}))(t)
	must(s.RegisterTargets(env, RegisterTargetsInput{TargetGroupArn: f.tgArn, Targets: []TargetDescription{{Id: "10.0.1.10"}}}))(t)
	if lb.LoadBalancers[0].LoadBalancerArn != f.lbArn || tg.TargetGroups[0].TargetGroupArn != f.tgArn || l.Listeners[0].ListenerArn != f.listenerArn ||
		svc.ServiceConfiguration.ServiceId != f.svcID || ep.VpcEndpoint.VpcEndpointId != f.epID {
		t.Fatal("a repeated create returned a different resource")
	}
	if after := stateJSON(t, s); after != before {
		t.Fatal("repeated creates changed the state")
	}
	// ClientToken idempotency for the EC2 creates.
	a := must(s.CreateVpcEndpoint(env, CreateVpcEndpointInput{VpcEndpointType: "GatewayLoadBalancer", VpcId: f.vpc, ServiceName: f.svcName, SubnetIds: []string{f.subB}, ClientToken: "tok"}))(t)
	b := must(s.CreateVpcEndpoint(env, CreateVpcEndpointInput{VpcEndpointType: "GatewayLoadBalancer", VpcId: f.vpc, ServiceName: f.svcName, SubnetIds: []string{f.subB}, ClientToken: "tok"}))(t)
	if a.VpcEndpoint.VpcEndpointId != b.VpcEndpoint.VpcEndpointId {
		t.Fatal("same client token gave two endpoints")
	}
	_, err := s.CreateVpcEndpoint(env, CreateVpcEndpointInput{VpcEndpointType: "GatewayLoadBalancer", VpcId: f.vpc, ServiceName: f.svcName, SubnetIds: []string{f.subA}, ClientToken: "tok"})
	if ErrorCode(err) != CodeIdempotentParameterMismatch {
		t.Fatalf("client token reuse with other parameters: %v", err)
	}
}

func TestEndpointStateMachine(t *testing.T) {
	f := newFixture(t)
	s, env := f.s, f.env
	state := func(id string) string { return s.Endpoint(id).Endpoint.State }
	if state(f.epID) != EndpointStatePendingAcceptance {
		t.Fatalf("new endpoint is %s, want pendingAcceptance", state(f.epID))
	}
	conns := must(s.DescribeVpcEndpointConnections(env, DescribeVpcEndpointConnectionsInput{Filters: []Filter{{Name: "vpc-endpoint-state", Values: []string{"pendingAcceptance"}}}}))(t)
	if len(conns.VpcEndpointConnections) != 1 || conns.VpcEndpointConnections[0].VpcEndpointId != f.epID || conns.VpcEndpointConnections[0].GatewayLoadBalancerArns[0] != f.lbArn {
		t.Fatalf("connections = %+v", conns)
	}
	acc := must(s.AcceptVpcEndpointConnections(env, AcceptVpcEndpointConnectionsInput{ServiceId: f.svcID, VpcEndpointIds: []string{f.epID}}))(t)
	if len(acc.Unsuccessful) != 0 || state(f.epID) != EndpointStateAvailable {
		t.Fatalf("after accept: %s %+v", state(f.epID), acc)
	}
	rej := must(s.RejectVpcEndpointConnections(env, RejectVpcEndpointConnectionsInput{ServiceId: f.svcID, VpcEndpointIds: []string{f.epID}}))(t)
	if len(rej.Unsuccessful) != 0 || state(f.epID) != EndpointStateRejected {
		t.Fatalf("after reject: %s", state(f.epID))
	}
	// With only rejected endpoints left the service can be deleted, and its
	// load balancer afterwards.
	del := must(s.DeleteVpcEndpointServiceConfigurations(env, DeleteVpcEndpointServiceConfigurationsInput{ServiceIds: []string{f.svcID}}))(t)
	if len(del.Unsuccessful) != 0 || s.EndpointService(f.svcID) != nil || s.Endpoint(f.epID) != nil {
		t.Fatalf("service delete: %+v", del)
	}
	must(s.DeleteLoadBalancer(env, DeleteLoadBalancerInput{LoadBalancerArn: f.lbArn}))(t)
	if s.LoadBalancerByArn(f.lbArn) != nil || s.ListenerOf(f.lbArn) != nil || len(s.TargetGroupByArn(f.tgArn).TargetGroup.LoadBalancerArns) != 0 {
		t.Fatal("load balancer delete left its listener or target group association")
	}
	// Deleting it again succeeds, as on AWS.
	must(s.DeleteLoadBalancer(env, DeleteLoadBalancerInput{LoadBalancerArn: f.lbArn}))(t)
}

func TestServiceWithoutAcceptanceAndCrossAccountPrincipals(t *testing.T) {
	f := newFixture(t)
	s, env := f.s, f.env
	lb2 := must(s.CreateLoadBalancer(env, lbIn("open", f.subC)))(t).LoadBalancers[0].LoadBalancerArn
	svc := must(s.CreateVpcEndpointServiceConfiguration(env, CreateVpcEndpointServiceConfigurationInput{AcceptanceRequired: ptr(false), GatewayLoadBalancerArns: []string{lb2}}))(t).ServiceConfiguration
	if svc.AvailabilityZones[0] != "us-east-1c" {
		t.Fatalf("service zones %v", svc.AvailabilityZones)
	}
	other := f.otherAccount()
	in := CreateVpcEndpointInput{VpcEndpointType: "GatewayLoadBalancer", VpcId: f.consumer, ServiceName: svc.ServiceName, SubnetIds: []string{f.consC}}
	if _, err := s.CreateVpcEndpoint(other, in); ErrorCode(err) != CodeInvalidServiceName {
		t.Fatalf("other account before permission: %v", err)
	}
	perm := must(s.ModifyVpcEndpointServicePermissions(env, ModifyVpcEndpointServicePermissionsInput{ServiceId: svc.ServiceId, AddAllowedPrincipals: []string{other.Principal()}}))(t)
	if len(perm.AddedPrincipals) != 1 || perm.AddedPrincipals[0].PrincipalType != "Account" || !perm.ReturnValue {
		t.Fatalf("permissions output %+v", perm)
	}
	ep := must(s.CreateVpcEndpoint(other, in))(t).VpcEndpoint
	if ep.State != EndpointStateAvailable || ep.OwnerId != other.Account {
		t.Fatalf("endpoint without acceptance: %+v", ep)
	}
	// The owner sees the connection; the consumer account does not.
	if c := must(s.DescribeVpcEndpointConnections(env, DescribeVpcEndpointConnectionsInput{Filters: []Filter{{Name: "service-id", Values: []string{svc.ServiceId}}}}))(t); len(c.VpcEndpointConnections) != 1 || c.VpcEndpointConnections[0].VpcEndpointOwner != other.Account {
		t.Fatalf("owner's connections %+v", c)
	}
	if c := must(s.DescribeVpcEndpointConnections(other, DescribeVpcEndpointConnectionsInput{}))(t); len(c.VpcEndpointConnections) != 0 {
		t.Fatalf("consumer sees connections %+v", c)
	}
	ps := must(s.DescribeVpcEndpointServicePermissions(env, DescribeVpcEndpointServicePermissionsInput{ServiceId: svc.ServiceId}))(t)
	if len(ps.AllowedPrincipals) != 1 || ps.AllowedPrincipals[0].Principal != other.Principal() {
		t.Fatalf("permissions %+v", ps)
	}
	// "*" allows everyone.
	third := other
	third.Account = "444455556666"
	must(s.ModifyVpcEndpointServicePermissions(env, ModifyVpcEndpointServicePermissionsInput{ServiceId: svc.ServiceId, AddAllowedPrincipals: []string{"*"}}))(t)
	in.VpcId, in.SubnetIds = f.vpc, []string{f.subC}
	must(s.CreateVpcEndpoint(third, in))(t)
}

func TestTargetHealthLifecycle(t *testing.T) {
	f := newFixture(t)
	s, env := f.s, f.env
	health := func(id string) TargetHealth {
		t.Helper()
		out := must(s.DescribeTargetHealth(env, DescribeTargetHealthInput{TargetGroupArn: f.tgArn, Targets: []TargetDescription{{Id: id}}}))(t)
		return out.TargetHealthDescriptions[0].TargetHealth
	}
	if h := health("10.0.1.10"); h.State != TargetHealthInitial || h.Reason != ReasonRegistrationInProgress {
		t.Fatalf("registered target: %+v", h)
	}
	if h := health("10.0.1.99"); h.State != TargetHealthUnused || h.Reason != ReasonNotRegistered {
		t.Fatalf("unregistered target: %+v", h)
	}
	// A target in a zone the load balancer lacks is unused.
	must(s.RegisterTargets(env, RegisterTargetsInput{TargetGroupArn: f.tgArn, Targets: []TargetDescription{{Id: "10.0.3.10"}}}))(t)
	if h := health("10.0.3.10"); h.State != TargetHealthUnused || h.Reason != ReasonNotInUse {
		t.Fatalf("target outside the lb's zones: %+v", h)
	}
	// The health checker's result shows once set.
	if !s.SetTargetHealth(f.tgArn, "10.0.1.10", "node-a", TargetHealth{State: TargetHealthHealthy}, f.now) {
		t.Fatal("SetTargetHealth reported no change")
	}
	if h := health("10.0.1.10"); h.State != TargetHealthHealthy {
		t.Fatalf("after health check: %+v", h)
	}
	// Deregistration drains for the delay, then the target is gone.
	must(s.ModifyTargetGroupAttributes(env, ModifyTargetGroupAttributesInput{TargetGroupArn: f.tgArn, Attributes: []Attribute{{Key: AttrDeregistrationDelay, Value: "30"}}}))(t)
	must(s.DeregisterTargets(env, DeregisterTargetsInput{TargetGroupArn: f.tgArn, Targets: []TargetDescription{{Id: "10.0.1.10"}}}))(t)
	if h := health("10.0.1.10"); h.State != TargetHealthDraining || h.Reason != ReasonDeregistrationInProgress {
		t.Fatalf("deregistered target: %+v", h)
	}
	f.now = f.now.Add(31 * time.Second)
	if h := health("10.0.1.10"); h.State != TargetHealthUnused || h.Reason != ReasonNotRegistered {
		t.Fatalf("after the delay: %+v", h)
	}
	all := must(s.DescribeTargetHealth(env, DescribeTargetHealthInput{TargetGroupArn: f.tgArn}))(t)
	if len(all.TargetHealthDescriptions) != 1 {
		t.Fatalf("drained target still listed: %+v", all)
	}
	if !s.Prune(f.now) || s.TargetGroupByArn(f.tgArn).Target("10.0.1.10") != nil {
		t.Fatal("Prune kept a drained target")
	}
	// Without a listener the group is not in use.
	must(s.DeleteListener(env, DeleteListenerInput{ListenerArn: f.listenerArn}))(t)
	if h := health("10.0.3.10"); h.State != TargetHealthUnused || h.Reason != ReasonNotInUse || !strings.Contains(h.Description, "not configured") {
		t.Fatalf("target of an unused group: %+v", h)
	}
	// Now the group is free to be deleted.
	must(s.DeleteTargetGroup(env, DeleteTargetGroupInput{TargetGroupArn: f.tgArn}))(t)
}

func TestReRegisterCancelsDraining(t *testing.T) {
	f := newFixture(t)
	s, env := f.s, f.env
	must(s.DeregisterTargets(env, DeregisterTargetsInput{TargetGroupArn: f.tgArn, Targets: []TargetDescription{{Id: "10.0.1.10"}}}))(t)
	must(s.RegisterTargets(env, RegisterTargetsInput{TargetGroupArn: f.tgArn, Targets: []TargetDescription{{Id: "10.0.1.10"}}}))(t)
	if rt := s.TargetGroupByArn(f.tgArn).Target("10.0.1.10"); rt == nil || rt.DrainUntil != nil {
		t.Fatalf("re-registered target: %+v", rt)
	}
}

func TestModifyListenerMovesTargetGroup(t *testing.T) {
	f := newFixture(t)
	s, env := f.s, f.env
	spare := f.spareTargetGroup(t)
	must(s.ModifyListener(env, ModifyListenerInput{ListenerArn: f.listenerArn, DefaultActions: []Action{{Type: "forward", TargetGroupArn: spare}}}))(t)
	if len(s.TargetGroupByArn(f.tgArn).TargetGroup.LoadBalancerArns) != 0 || s.TargetGroupByArn(spare).TargetGroup.LoadBalancerArns[0] != f.lbArn {
		t.Fatal("target group association not moved")
	}
	must(s.DeleteTargetGroup(env, DeleteTargetGroupInput{TargetGroupArn: f.tgArn}))(t)
}

func TestModifyTargetGroupHealthCheck(t *testing.T) {
	f := newFixture(t)
	out := must(f.s.ModifyTargetGroup(f.env, ModifyTargetGroupInput{TargetGroupArn: f.tgArn, HealthCheckProtocol: "HTTP", HealthCheckPort: "8080", HealthCheckIntervalSeconds: ptr(30), HealthCheckTimeoutSeconds: ptr(30)}))(t)
	tg := out.TargetGroups[0]
	if tg.HealthCheckProtocol != "HTTP" || tg.HealthCheckPath != "/" || tg.Matcher == nil || tg.Matcher.HttpCode != "200-399" || tg.HealthCheckPort != "8080" || tg.HealthCheckIntervalSeconds != 30 {
		t.Fatalf("HTTP health check defaults not applied: %+v", tg)
	}
	out = must(f.s.ModifyTargetGroup(f.env, ModifyTargetGroupInput{TargetGroupArn: f.tgArn, HealthCheckProtocol: "TCP"}))(t)
	if tg = out.TargetGroups[0]; tg.HealthCheckPath != "" || tg.Matcher != nil {
		t.Fatalf("switching to TCP kept HTTP settings: %+v", tg)
	}
}

func TestFiltersAndTags(t *testing.T) {
	f := newFixture(t)
	s, env := f.s, f.env
	must(s.CreateTags(env, CreateTagsInput{Resources: []string{f.consumer}, Tags: []Tag{{Key: "Name", Value: "consumer-blue"}}}))(t)
	vs := must(s.DescribeVpcs(env, DescribeVpcsInput{Filters: []Filter{{Name: "tag:Name", Values: []string{"consumer-*"}}}}))(t)
	if len(vs.Vpcs) != 1 || vs.Vpcs[0].VpcId != f.consumer {
		t.Fatalf("tag filter: %+v", vs)
	}
	sn := must(s.DescribeSubnets(env, DescribeSubnetsInput{Filters: []Filter{{Name: "vpc-id", Values: []string{f.vpc}}, {Name: "availability-zone", Values: []string{"us-east-1a", "us-east-1b"}}}}))(t)
	if len(sn.Subnets) != 2 {
		t.Fatalf("subnet filters: %d subnets", len(sn.Subnets))
	}
	tags := must(s.DescribeTagsEC2(env, DescribeTagsEC2Input{Filters: []Filter{{Name: "resource-id", Values: []string{f.consumer}}}}))(t)
	if len(tags.Tags) != 1 || tags.Tags[0].ResourceType != "vpc" {
		t.Fatalf("ec2 describe-tags %+v", tags)
	}
	must(s.DeleteTags(env, DeleteTagsInput{Resources: []string{f.consumer}, Tags: []Tag{{Key: "Name"}}}))(t)
	if len(s.Vpc(f.consumer).Tags) != 0 {
		t.Fatal("delete-tags kept the tag")
	}
	must(s.AddTags(env, AddTagsInput{ResourceArns: []string{f.lbArn, f.tgArn, f.listenerArn}, Tags: []Tag{{Key: "team", Value: "netsec"}}}))(t)
	must(s.AddTags(env, AddTagsInput{ResourceArns: []string{f.lbArn}, Tags: []Tag{{Key: "team", Value: "sec"}}}))(t)
	must(s.RemoveTags(env, RemoveTagsInput{ResourceArns: []string{f.tgArn}, TagKeys: []string{"team"}}))(t)
	d := must(s.DescribeTags(env, DescribeTagsInput{ResourceArns: []string{f.lbArn, f.tgArn, f.listenerArn}}))(t)
	b, _ := json.Marshal(d)
	want := `{"TagDescriptions":[{"ResourceArn":"` + f.lbArn + `","Tags":[{"Key":"team","Value":"sec"}]},{"ResourceArn":"` + f.tgArn + `","Tags":[]},{"ResourceArn":"` + f.listenerArn + `","Tags":[{"Key":"team","Value":"netsec"}]}]}`
	if string(b) != want {
		t.Fatalf("describe-tags\n got %s\nwant %s", b, want)
	}
	eps := must(s.DescribeVpcEndpoints(env, DescribeVpcEndpointsInput{Filters: []Filter{{Name: "vpc-endpoint-state", Values: []string{"pendingAcceptance"}}}}))(t)
	if len(eps.VpcEndpoints) != 1 {
		t.Fatalf("endpoint filter %+v", eps)
	}
	tgs := must(s.DescribeTargetGroups(env, DescribeTargetGroupsInput{LoadBalancerArn: f.lbArn}))(t)
	if len(tgs.TargetGroups) != 1 || tgs.TargetGroups[0].LoadBalancerArns[0] != f.lbArn {
		t.Fatalf("target groups of lb %+v", tgs)
	}
}

func TestStateCloneIsDeep(t *testing.T) {
	f := newFixture(t)
	c := f.s.Clone()
	c.LoadBalancers[0].Attributes[0].Value = "changed"
	c.TargetGroups[0].Targets[0].Target.Id = "changed"
	if f.s.LoadBalancers[0].Attributes[0].Value == "changed" || f.s.TargetGroups[0].Targets[0].Target.Id == "changed" {
		t.Fatal("Clone shares memory with the original")
	}
}

func TestEnvValidate(t *testing.T) {
	if err := (Env{Region: "us-east-1", Account: "123456789012"}).Validate(); err != nil {
		t.Fatal(err)
	}
	for _, e := range []Env{{Region: "mars", Account: "123456789012"}, {Region: "us-east-1", Account: "12"}} {
		if err := e.Validate(); err == nil {
			t.Errorf("%+v accepted", e)
		}
	}
}

// TestGettingStartedGuideFlow follows AWS's "Getting started with Gateway
// Load Balancers using the AWS CLI": instance targets without zones, a
// service without acceptance, an endpoint that is available at once.
func TestGettingStartedGuideFlow(t *testing.T) {
	s := &State{}
	env := testEnv()
	vpc := must(s.CreateVpc(env, CreateVpcInput{CidrBlock: "10.0.0.0/16"}))(t).Vpc.VpcId
	provider := must(s.CreateSubnet(env, CreateSubnetInput{VpcId: vpc, CidrBlock: "10.0.0.0/24"}))(t).Subnet
	if provider.AvailabilityZone != "us-east-1a" {
		t.Fatalf("default zone %s", provider.AvailabilityZone)
	}
	consumerVpc := must(s.CreateVpc(env, CreateVpcInput{CidrBlock: "10.1.0.0/16"}))(t).Vpc.VpcId
	consumer := must(s.CreateSubnet(env, CreateSubnetInput{VpcId: consumerVpc, CidrBlock: "10.1.0.0/24", AvailabilityZone: "us-east-1a"}))(t).Subnet.SubnetId
	lb := must(s.CreateLoadBalancer(env, CreateLoadBalancerInput{Name: "my-load-balancer", Type: "gateway", Subnets: []string{provider.SubnetId}}))(t).LoadBalancers[0].LoadBalancerArn
	tg := must(s.CreateTargetGroup(env, CreateTargetGroupInput{Name: "my-targets", Protocol: "GENEVE", Port: ptr(6081), VpcId: vpc}))(t).TargetGroups[0]
	if tg.TargetType != "instance" {
		t.Fatalf("default target type %s", tg.TargetType)
	}
	must(s.RegisterTargets(env, RegisterTargetsInput{TargetGroupArn: tg.TargetGroupArn, Targets: []TargetDescription{{Id: "i-1234567890abcdef0"}, {Id: "i-0abcdef1234567890"}}}))(t)
	must(s.CreateListener(env, CreateListenerInput{LoadBalancerArn: lb, DefaultActions: []Action{{Type: "forward", TargetGroupArn: tg.TargetGroupArn}}}))(t)
	svc := must(s.CreateVpcEndpointServiceConfiguration(env, CreateVpcEndpointServiceConfigurationInput{GatewayLoadBalancerArns: []string{lb}, AcceptanceRequired: ptr(false)}))(t).ServiceConfiguration
	ep := must(s.CreateVpcEndpoint(env, CreateVpcEndpointInput{VpcEndpointType: "GatewayLoadBalancer", ServiceName: svc.ServiceName, VpcId: consumerVpc, SubnetIds: []string{consumer}}))(t).VpcEndpoint
	if ep.State != EndpointStateAvailable {
		t.Fatalf("endpoint %s, want available", ep.State)
	}
	th := must(s.DescribeTargetHealth(env, DescribeTargetHealthInput{TargetGroupArn: tg.TargetGroupArn}))(t)
	if len(th.TargetHealthDescriptions) != 2 || th.TargetHealthDescriptions[1].TargetHealth.State != TargetHealthInitial {
		t.Fatalf("target health %+v", th)
	}
}
