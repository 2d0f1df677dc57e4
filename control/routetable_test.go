package control

import (
	"encoding/json"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// ingress builds the consumer side of AWS's GWLB getting-started guide,
// step 3 "Configure routing" (docs.aws.amazon.com/elasticloadbalancing/
// latest/gateway/getting-started-cli.html): an internet gateway attached
// to the consumer VPC, an application subnet whose default route goes to
// the endpoint, the endpoint subnet whose default route goes to the
// internet gateway, and the gateway's edge route table sending traffic
// for the application subnet to the endpoint.
type ingress struct {
	*fixture
	igw, appSubnet, appRT, endpointRT, edgeRT string
}

func newIngress(t *testing.T) *ingress {
	t.Helper()
	f := newFixture(t)
	s, env := f.s, f.env
	g := &ingress{fixture: f}
	g.igw = must(s.CreateInternetGateway(env, CreateInternetGatewayInput{}))(t).InternetGateway.InternetGatewayId
	must(s.AttachInternetGateway(env, AttachInternetGatewayInput{InternetGatewayId: g.igw, VpcId: f.consumer}))(t)
	g.appSubnet = must(s.CreateSubnet(env, CreateSubnetInput{VpcId: f.consumer, CidrBlock: "10.0.2.0/24", AvailabilityZone: "us-east-1a"}))(t).Subnet.SubnetId

	g.appRT = must(s.CreateRouteTable(env, CreateRouteTableInput{VpcId: f.consumer}))(t).RouteTable.RouteTableId
	must(s.CreateRoute(env, CreateRouteInput{RouteTableId: g.appRT, DestinationCidrBlock: "0.0.0.0/0", VpcEndpointId: f.epID}))(t)
	must(s.AssociateRouteTable(env, AssociateRouteTableInput{RouteTableId: g.appRT, SubnetId: g.appSubnet}))(t)

	g.endpointRT = must(s.CreateRouteTable(env, CreateRouteTableInput{VpcId: f.consumer}))(t).RouteTable.RouteTableId
	must(s.CreateRoute(env, CreateRouteInput{RouteTableId: g.endpointRT, DestinationCidrBlock: "0.0.0.0/0", GatewayId: g.igw}))(t)
	must(s.AssociateRouteTable(env, AssociateRouteTableInput{RouteTableId: g.endpointRT, SubnetId: f.consA}))(t)

	g.edgeRT = must(s.CreateRouteTable(env, CreateRouteTableInput{VpcId: f.consumer}))(t).RouteTable.RouteTableId
	must(s.CreateRoute(env, CreateRouteInput{RouteTableId: g.edgeRT, DestinationCidrBlock: "10.0.2.0/24", VpcEndpointId: f.epID}))(t)
	must(s.AssociateRouteTable(env, AssociateRouteTableInput{RouteTableId: g.edgeRT, GatewayId: g.igw}))(t)
	return g
}

func TestIngressRouting(t *testing.T) {
	g := newIngress(t)
	s := g.s
	addr := netip.MustParseAddr

	// Traffic from the application subnet leaves through the endpoint.
	m, ok, err := s.SubnetRoute(g.appSubnet, addr("198.51.100.7"))
	if err != nil || !ok || m.Route.GatewayId != g.epID || m.RouteTableId != g.appRT || m.Main || m.Destination.String() != "0.0.0.0/0" {
		t.Fatalf("app subnet to the internet: %+v %v %v", m, ok, err)
	}
	// ... and inside the VPC the local route, the longer prefix, wins.
	if m, ok, _ := s.SubnetRoute(g.appSubnet, addr("10.0.1.5")); !ok || !m.Local() || m.Destination.String() != "10.0.0.0/16" {
		t.Fatalf("app subnet to the VPC: %+v", m)
	}
	// After inspection the endpoint subnet sends it to the internet gateway.
	if m, ok, _ := s.SubnetRoute(g.consA, addr("198.51.100.7")); !ok || m.Route.GatewayId != g.igw {
		t.Fatalf("endpoint subnet: %+v", m)
	}
	// Traffic entering through the gateway for the application subnet goes
	// to the endpoint first.
	if m, ok := s.GatewayRoute(g.igw, addr("10.0.2.9")); !ok || m.Route.GatewayId != g.epID || m.RouteTableId != g.edgeRT {
		t.Fatalf("edge route: %+v %v", m, ok)
	}
	if m, ok := s.GatewayRoute(g.igw, addr("10.0.1.9")); !ok || !m.Local() {
		t.Fatalf("edge route to the endpoint subnet: %+v %v", m, ok)
	}
	// A subnet without an association uses the main table: local only.
	if m, ok, _ := s.SubnetRoute(g.consC, addr("10.0.3.1")); !ok || !m.Main || !m.Local() {
		t.Fatalf("main table: %+v %v", m, ok)
	}
	if _, ok, _ := s.SubnetRoute(g.consC, addr("8.8.8.8")); ok {
		t.Fatal("the main table routes to the internet")
	}
	if _, _, err := s.SubnetRoute("subnet-0000000000000000f", addr("8.8.8.8")); ErrorCode(err) != CodeInvalidSubnetIDNotFound {
		t.Fatalf("unknown subnet: %v", err)
	}

	// describe-route-tables, filtered as scripts filter it.
	out := must(s.DescribeRouteTables(g.env, DescribeRouteTablesInput{Filters: []Filter{{Name: "association.subnet-id", Values: []string{g.appSubnet}}}}))(t)
	if len(out.RouteTables) != 1 || out.RouteTables[0].RouteTableId != g.appRT {
		t.Fatalf("association.subnet-id: %+v", out.RouteTables)
	}
	rt := out.RouteTables[0]
	if len(rt.Routes) != 2 || rt.Routes[0].GatewayId != "local" || rt.Routes[0].Origin != RouteOriginCreateRouteTable ||
		rt.Routes[1].GatewayId != g.epID || rt.Routes[1].Origin != RouteOriginCreateRoute || rt.Routes[1].State != RouteStateActive {
		t.Fatalf("routes: %+v", rt.Routes)
	}
	if rt.Associations[0].Main || rt.Associations[0].SubnetId != g.appSubnet || rt.Associations[0].AssociationState.State != "associated" {
		t.Fatalf("association: %+v", rt.Associations)
	}
	for _, c := range []struct {
		filter Filter
		want   []string
	}{
		{Filter{Name: "association.gateway-id", Values: []string{g.igw}}, []string{g.edgeRT}},
		{Filter{Name: "route.vpc-endpoint-id", Values: []string{g.epID}}, []string{g.appRT, g.edgeRT}},
		{Filter{Name: "route.gateway-id", Values: []string{g.igw}}, []string{g.endpointRT}},
		{Filter{Name: "association.main", Values: []string{"true"}}, []string{s.MainRouteTable(g.vpc).RouteTableId, s.MainRouteTable(g.consumer).RouteTableId}},
		{Filter{Name: "route.destination-cidr-block", Values: []string{"10.0.2.0/24"}}, []string{g.edgeRT}},
	} {
		filter, want := c.filter, c.want
		out := must(s.DescribeRouteTables(g.env, DescribeRouteTablesInput{Filters: []Filter{filter}}))(t)
		var got []string
		for _, rt := range out.RouteTables {
			got = append(got, rt.RouteTableId)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("filter %s=%v: %v, want %v", filter.Name, filter.Values, got, want)
		}
	}

	// Deleting the endpoint turns its routes into blackholes.
	must(s.RejectVpcEndpointConnections(g.env, RejectVpcEndpointConnectionsInput{ServiceId: g.svcID, VpcEndpointIds: []string{g.epID}}))(t)
	must(s.DeleteVpcEndpoints(g.env, DeleteVpcEndpointsInput{VpcEndpointIds: []string{g.epID}}))(t)
	if m, ok, _ := s.SubnetRoute(g.appSubnet, addr("198.51.100.7")); !ok || !m.Blackhole() {
		t.Fatalf("route to a deleted endpoint: %+v", m)
	}
}

func TestMainRouteTable(t *testing.T) {
	f := newFixture(t)
	s, env := f.s, f.env
	main := s.MainRouteTable(f.vpc)
	if main == nil || !isMain(main) || len(main.Routes) != 1 || main.Routes[0].DestinationCidrBlock != "10.0.0.0/16" || main.Routes[0].GatewayId != "local" {
		t.Fatalf("main route table of a new VPC: %+v", main)
	}
	if main.RouteTableId == legacyMainRouteTable(s.Vpc(f.vpc)).RouteTableId {
		t.Fatal("a new VPC's main table has the legacy id")
	}
	if err := errOf(s.DeleteRouteTable(env, DeleteRouteTableInput{RouteTableId: main.RouteTableId})); ErrorCode(err) != CodeDependencyViolation {
		t.Fatalf("deleting the main table: %v", err)
	}
	// A VPC goes with its main table, not with another one.
	v := must(s.CreateVpc(env, CreateVpcInput{CidrBlock: "172.16.0.0/16"}))(t).Vpc.VpcId
	extra := must(s.CreateRouteTable(env, CreateRouteTableInput{VpcId: v}))(t).RouteTable.RouteTableId
	if err := errOf(s.DeleteVpc(env, DeleteVpcInput{VpcId: v})); ErrorCode(err) != CodeDependencyViolation || !strings.Contains(err.Error(), extra) {
		t.Fatalf("deleting a VPC with a route table: %v", err)
	}
	must(s.DeleteRouteTable(env, DeleteRouteTableInput{RouteTableId: extra}))(t)
	must(s.DeleteVpc(env, DeleteVpcInput{VpcId: v}))(t)
	if slices.ContainsFunc(s.RouteTables, func(rt *RouteTable) bool { return rt.VpcId == v }) {
		t.Fatal("the deleted VPC's main table stayed")
	}
	// Making another table main moves the main association.
	other := must(s.CreateRouteTable(env, CreateRouteTableInput{VpcId: f.vpc}))(t).RouteTable.RouteTableId
	assoc := main.Associations[0].RouteTableAssociationId
	out := must(s.ReplaceRouteTableAssociation(env, ReplaceRouteTableAssociationInput{AssociationId: assoc, RouteTableId: other}))(t)
	if s.MainRouteTable(f.vpc).RouteTableId != other || out.NewAssociationId == assoc || out.AssociationState.State != "associated" {
		t.Fatalf("main table after replace: %s (%+v)", s.MainRouteTable(f.vpc).RouteTableId, out)
	}
	must(s.DeleteRouteTable(env, DeleteRouteTableInput{RouteTableId: main.RouteTableId}))(t)
}

// TestLegacyStateHasMainRouteTables: a state file written before route
// tables existed loads, shows one main table per VPC with a stable id, is
// written back unchanged while nothing touches route tables, and stores the
// table when an operation changes it.
func TestLegacyStateHasMainRouteTables(t *testing.T) {
	doc := `{"vpcs":[{"CidrBlock":"10.9.0.0/16","State":"available","VpcId":"vpc-0123456789abcdef0","OwnerId":"123456789012"}],` +
		`"subnets":[{"AvailabilityZone":"us-east-1a","CidrBlock":"10.9.1.0/24","State":"available","SubnetId":"subnet-0123456789abcdef0","VpcId":"vpc-0123456789abcdef0"}],` +
		`"loadBalancers":[],"targetGroups":[],"listeners":[],"endpointServices":[],"endpoints":[]}`
	var s State
	if err := json.Unmarshal([]byte(doc), &s); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	env := testEnv()
	d1 := must(s.DescribeRouteTables(env, DescribeRouteTablesInput{}))(t)
	d2 := must(s.DescribeRouteTables(env, DescribeRouteTablesInput{}))(t)
	if len(d1.RouteTables) != 1 || d1.RouteTables[0].RouteTableId != "rtb-0123456789abcdef0" || d2.RouteTables[0].RouteTableId != d1.RouteTables[0].RouteTableId ||
		!d1.RouteTables[0].Associations[0].Main || d1.RouteTables[0].Routes[0].DestinationCidrBlock != "10.9.0.0/16" {
		t.Fatalf("legacy main table: %+v", d1.RouteTables)
	}
	if b, _ := json.Marshal(&s); strings.Contains(string(b), "routeTables") {
		t.Fatalf("a describe stored the legacy table: %s", b)
	}
	if m, ok, err := s.SubnetRoute("subnet-0123456789abcdef0", netip.MustParseAddr("10.9.1.1")); err != nil || !ok || !m.Main || !m.Local() {
		t.Fatalf("route lookup on a legacy state: %+v %v %v", m, ok, err)
	}
	rt := must(s.CreateRouteTable(env, CreateRouteTableInput{VpcId: "vpc-0123456789abcdef0"}))(t).RouteTable.RouteTableId
	if len(s.RouteTables) != 2 || s.RouteTables[0].RouteTableId != "rtb-0123456789abcdef0" || s.RouteTables[1].RouteTableId != rt {
		t.Fatalf("stored tables: %+v", s.RouteTables)
	}
	if err := errOf(s.DeleteRouteTable(env, DeleteRouteTableInput{RouteTableId: "rtb-0123456789abcdef0"})); ErrorCode(err) != CodeDependencyViolation {
		t.Fatalf("deleting the stored legacy main table: %v", err)
	}
}

func TestInternetGatewayLifecycle(t *testing.T) {
	f := newFixture(t)
	s, env := f.s, f.env
	g := must(s.CreateInternetGateway(env, CreateInternetGatewayInput{TagSpecifications: []TagSpecification{{ResourceType: "internet-gateway", Tags: []Tag{{Key: "Name", Value: "igw"}}}}}))(t).InternetGateway
	if len(g.Attachments) != 0 || g.Attachments == nil || g.Tags[0].Value != "igw" || g.OwnerId != env.Account {
		t.Fatalf("new gateway: %+v", g)
	}
	must(s.AttachInternetGateway(env, AttachInternetGatewayInput{InternetGatewayId: g.InternetGatewayId, VpcId: f.consumer}))(t)
	d := must(s.DescribeInternetGateways(env, DescribeInternetGatewaysInput{Filters: []Filter{{Name: "attachment.vpc-id", Values: []string{f.consumer}}}}))(t)
	if len(d.InternetGateways) != 1 || d.InternetGateways[0].Attachments[0] != (InternetGatewayAttachment{State: "available", VpcId: f.consumer}) {
		t.Fatalf("describe: %+v", d)
	}
	rt := must(s.CreateRouteTable(env, CreateRouteTableInput{VpcId: f.consumer}))(t).RouteTable.RouteTableId
	must(s.CreateRoute(env, CreateRouteInput{RouteTableId: rt, DestinationCidrBlock: "0.0.0.0/0", GatewayId: g.InternetGatewayId}))(t)
	must(s.DetachInternetGateway(env, DetachInternetGatewayInput{InternetGatewayId: g.InternetGatewayId, VpcId: f.consumer}))(t)
	if r := s.RouteTable(rt).Routes[1]; r.State != RouteStateBlackhole {
		t.Fatalf("route to a detached gateway: %+v", r)
	}
	must(s.AttachInternetGateway(env, AttachInternetGatewayInput{InternetGatewayId: g.InternetGatewayId, VpcId: f.consumer}))(t)
	if r := s.RouteTable(rt).Routes[1]; r.State != RouteStateActive {
		t.Fatalf("route after re-attaching: %+v", r)
	}
	must(s.DetachInternetGateway(env, DetachInternetGatewayInput{InternetGatewayId: g.InternetGatewayId, VpcId: f.consumer}))(t)
	must(s.DeleteInternetGateway(env, DeleteInternetGatewayInput{InternetGatewayId: g.InternetGatewayId}))(t)
	if s.InternetGateway(g.InternetGatewayId) != nil {
		t.Fatal("deleted gateway still there")
	}
	// Tags work on route tables and gateways like on other EC2 resources.
	must(s.CreateTags(env, CreateTagsInput{Resources: []string{rt}, Tags: []Tag{{Key: "Name", Value: "app"}}}))(t)
	tags := must(s.DescribeTagsEC2(env, DescribeTagsEC2Input{Filters: []Filter{{Name: "resource-type", Values: []string{"route-table"}}}}))(t)
	if len(tags.Tags) != 1 || tags.Tags[0].ResourceId != rt {
		t.Fatalf("route table tags: %+v", tags)
	}
}

func routeBadCases() []badCase {
	var cases []badCase
	add := func(name, code string, run func(g *ingress) error) {
		cases = append(cases, badCase{name: name, code: code, run: func(f *fixture) error { return run(f.ingress) }})
	}
	// addWith first creates what the case needs (a spare route table or
	// gateway), outside the state comparison.
	addWith := func(name, code string, prep func(g *ingress) string, run func(g *ingress, id string) error) {
		var id string
		cases = append(cases, badCase{name: name, code: code,
			prep: func(t *testing.T, f *fixture) { id = prep(f.ingress) },
			run:  func(f *fixture) error { return run(f.ingress, id) }})
	}
	spareTable := func(g *ingress) string {
		return val(g.s.CreateRouteTable(g.env, CreateRouteTableInput{VpcId: g.vpc})).RouteTable.RouteTableId
	}
	spareGateway := func(g *ingress) string {
		return val(g.s.CreateInternetGateway(g.env, CreateInternetGatewayInput{})).InternetGateway.InternetGatewayId
	}
	rin := func(g *ingress, mod func(*CreateRouteInput)) CreateRouteInput {
		in := CreateRouteInput{RouteTableId: g.appRT, DestinationCidrBlock: "192.0.2.0/24", VpcEndpointId: g.epID}
		mod(&in)
		return in
	}
	add("route table unknown", CodeInvalidRouteTableIDNotFound, func(g *ingress) error {
		return errOf(g.s.CreateRoute(g.env, rin(g, func(in *CreateRouteInput) { in.RouteTableId = "rtb-0000000000000000f" })))
	})
	add("route to unknown endpoint", CodeInvalidVpcEndpointIDNotFound, func(g *ingress) error {
		return errOf(g.s.CreateRoute(g.env, rin(g, func(in *CreateRouteInput) { in.VpcEndpointId = "vpce-0000000000000000f" })))
	})
	addWith("route to endpoint of another vpc", CodeInvalidParameterValue, spareTable, func(g *ingress, rt string) error {
		return errOf(g.s.CreateRoute(g.env, CreateRouteInput{RouteTableId: rt, DestinationCidrBlock: "0.0.0.0/0", VpcEndpointId: g.epID}))
	})
	add("route to unknown gateway", CodeInvalidInternetGatewayIDNotFound, func(g *ingress) error {
		return errOf(g.s.CreateRoute(g.env, rin(g, func(in *CreateRouteInput) { in.VpcEndpointId, in.GatewayId = "", "igw-0000000000000000f" })))
	})
	addWith("route to detached gateway", CodeInvalidParameterValue, spareGateway, func(g *ingress, igw string) error {
		return errOf(g.s.CreateRoute(g.env, rin(g, func(in *CreateRouteInput) { in.VpcEndpointId, in.GatewayId = "", igw })))
	})
	add("route twice", CodeRouteAlreadyExists, func(g *ingress) error {
		return errOf(g.s.CreateRoute(g.env, rin(g, func(in *CreateRouteInput) { in.DestinationCidrBlock = "0.0.0.0/0" })))
	})
	add("route for the vpc cidr", CodeRouteAlreadyExists, func(g *ingress) error {
		return errOf(g.s.CreateRoute(g.env, rin(g, func(in *CreateRouteInput) { in.DestinationCidrBlock = "10.0.0.0/16" })))
	})
	add("route inside the vpc to a gateway", CodeInvalidParameterValue, func(g *ingress) error {
		return errOf(g.s.CreateRoute(g.env, CreateRouteInput{RouteTableId: g.endpointRT, DestinationCidrBlock: "10.0.9.0/24", GatewayId: g.igw}))
	})
	add("route without target", CodeMissingParameter, func(g *ingress) error {
		return errOf(g.s.CreateRoute(g.env, rin(g, func(in *CreateRouteInput) { in.VpcEndpointId = "" })))
	})
	add("route with two targets", CodeInvalidParameterCombination, func(g *ingress) error {
		return errOf(g.s.CreateRoute(g.env, rin(g, func(in *CreateRouteInput) { in.GatewayId = g.igw })))
	})
	add("route to a nat gateway", CodeInvalidParameterValue, func(g *ingress) error {
		return errOf(g.s.CreateRoute(g.env, rin(g, func(in *CreateRouteInput) { in.VpcEndpointId, in.NatGatewayId = "", "nat-0123456789abcdef0" })))
	})
	add("route bad cidr", CodeInvalidParameterValue, func(g *ingress) error {
		return errOf(g.s.CreateRoute(g.env, rin(g, func(in *CreateRouteInput) { in.DestinationCidrBlock = "0.0.0.0/33" })))
	})
	add("route without destination", CodeMissingParameter, func(g *ingress) error {
		return errOf(g.s.CreateRoute(g.env, rin(g, func(in *CreateRouteInput) { in.DestinationCidrBlock = "" })))
	})
	add("route ipv6", CodeInvalidParameterValue, func(g *ingress) error {
		return errOf(g.s.CreateRoute(g.env, rin(g, func(in *CreateRouteInput) { in.DestinationCidrBlock, in.DestinationIpv6CidrBlock = "", "::/0" })))
	})
	add("replace missing route", CodeInvalidRouteNotFound, func(g *ingress) error {
		return errOf(g.s.ReplaceRoute(g.env, ReplaceRouteInput{RouteInput: CreateRouteInput{RouteTableId: g.appRT, DestinationCidrBlock: "192.0.2.0/24", VpcEndpointId: g.epID}}))
	})
	add("replace local route by gateway", CodeInvalidParameterValue, func(g *ingress) error {
		return errOf(g.s.ReplaceRoute(g.env, ReplaceRouteInput{RouteInput: CreateRouteInput{RouteTableId: g.endpointRT, DestinationCidrBlock: "10.0.0.0/16", GatewayId: g.igw}}))
	})
	add("delete missing route", CodeInvalidRouteNotFound, func(g *ingress) error {
		return errOf(g.s.DeleteRoute(g.env, DeleteRouteInput{RouteTableId: g.appRT, DestinationCidrBlock: "192.0.2.0/24"}))
	})
	add("delete local route", CodeInvalidParameterValue, func(g *ingress) error {
		return errOf(g.s.DeleteRoute(g.env, DeleteRouteInput{RouteTableId: g.appRT, DestinationCidrBlock: "10.0.0.0/16"}))
	})
	add("associate subnet twice", CodeResourceAlreadyAssociated, func(g *ingress) error {
		return errOf(g.s.AssociateRouteTable(g.env, AssociateRouteTableInput{RouteTableId: g.endpointRT, SubnetId: g.appSubnet}))
	})
	add("associate same table again", CodeResourceAlreadyAssociated, func(g *ingress) error {
		return errOf(g.s.AssociateRouteTable(g.env, AssociateRouteTableInput{RouteTableId: g.appRT, SubnetId: g.appSubnet}))
	})
	add("associate gateway twice", CodeResourceAlreadyAssociated, func(g *ingress) error {
		return errOf(g.s.AssociateRouteTable(g.env, AssociateRouteTableInput{RouteTableId: g.appRT, GatewayId: g.igw}))
	})
	addWith("associate detached gateway", CodeGatewayNotAttached, spareGateway, func(g *ingress, igw string) error {
		return errOf(g.s.AssociateRouteTable(g.env, AssociateRouteTableInput{RouteTableId: g.appRT, GatewayId: igw}))
	})
	add("associate subnet of another vpc", CodeInvalidParameterValue, func(g *ingress) error {
		return errOf(g.s.AssociateRouteTable(g.env, AssociateRouteTableInput{RouteTableId: g.appRT, SubnetId: g.subA}))
	})
	add("associate unknown subnet", CodeInvalidSubnetIDNotFound, func(g *ingress) error {
		return errOf(g.s.AssociateRouteTable(g.env, AssociateRouteTableInput{RouteTableId: g.appRT, SubnetId: "subnet-0000000000000000f"}))
	})
	add("associate nothing", CodeMissingParameter, func(g *ingress) error {
		return errOf(g.s.AssociateRouteTable(g.env, AssociateRouteTableInput{RouteTableId: g.appRT}))
	})
	add("associate both", CodeInvalidParameterCombination, func(g *ingress) error {
		return errOf(g.s.AssociateRouteTable(g.env, AssociateRouteTableInput{RouteTableId: g.appRT, SubnetId: g.consC, GatewayId: g.igw}))
	})
	add("disassociate unknown", CodeInvalidAssociationIDNotFound, func(g *ingress) error {
		return errOf(g.s.DisassociateRouteTable(g.env, DisassociateRouteTableInput{AssociationId: "rtbassoc-0000000000000000f"}))
	})
	add("disassociate main", CodeInvalidParameterValue, func(g *ingress) error {
		main := g.s.MainRouteTable(g.consumer)
		return errOf(g.s.DisassociateRouteTable(g.env, DisassociateRouteTableInput{AssociationId: main.Associations[0].RouteTableAssociationId}))
	})
	add("delete associated table", CodeDependencyViolation, func(g *ingress) error {
		return errOf(g.s.DeleteRouteTable(g.env, DeleteRouteTableInput{RouteTableId: g.appRT}))
	})
	add("delete unknown table", CodeInvalidRouteTableIDNotFound, func(g *ingress) error {
		return errOf(g.s.DeleteRouteTable(g.env, DeleteRouteTableInput{RouteTableId: "rtb-0000000000000000f"}))
	})
	add("describe unknown table", CodeInvalidRouteTableIDNotFound, func(g *ingress) error {
		return errOf(g.s.DescribeRouteTables(g.env, DescribeRouteTablesInput{RouteTableIds: []string{"rtb-0000000000000000f"}}))
	})
	add("describe bad filter", CodeInvalidParameterValue, func(g *ingress) error {
		return errOf(g.s.DescribeRouteTables(g.env, DescribeRouteTablesInput{Filters: []Filter{{Name: "route.nope", Values: []string{"x"}}}}))
	})
	add("route table in unknown vpc", CodeInvalidVpcIDNotFound, func(g *ingress) error {
		return errOf(g.s.CreateRouteTable(g.env, CreateRouteTableInput{VpcId: "vpc-0000000000000000f"}))
	})
	add("attach gateway twice", CodeResourceAlreadyAssociated, func(g *ingress) error {
		return errOf(g.s.AttachInternetGateway(g.env, AttachInternetGatewayInput{InternetGatewayId: g.igw, VpcId: g.vpc}))
	})
	addWith("second gateway for a vpc", CodeResourceAlreadyAssociated, spareGateway, func(g *ingress, igw string) error {
		return errOf(g.s.AttachInternetGateway(g.env, AttachInternetGatewayInput{InternetGatewayId: igw, VpcId: g.consumer}))
	})
	add("detach with edge association", CodeDependencyViolation, func(g *ingress) error {
		return errOf(g.s.DetachInternetGateway(g.env, DetachInternetGatewayInput{InternetGatewayId: g.igw, VpcId: g.consumer}))
	})
	add("detach from another vpc", CodeGatewayNotAttached, func(g *ingress) error {
		return errOf(g.s.DetachInternetGateway(g.env, DetachInternetGatewayInput{InternetGatewayId: g.igw, VpcId: g.vpc}))
	})
	add("delete attached gateway", CodeDependencyViolation, func(g *ingress) error {
		return errOf(g.s.DeleteInternetGateway(g.env, DeleteInternetGatewayInput{InternetGatewayId: g.igw}))
	})
	add("delete unknown gateway", CodeInvalidInternetGatewayIDNotFound, func(g *ingress) error {
		return errOf(g.s.DeleteInternetGateway(g.env, DeleteInternetGatewayInput{InternetGatewayId: "igw-0000000000000000f"}))
	})
	add("delete vpc with gateway", CodeDependencyViolation, func(g *ingress) error {
		return errOf(g.s.DeleteVpc(g.env, DeleteVpcInput{VpcId: g.consumer}))
	})
	add("dry run create route table", CodeDryRunOperation, func(g *ingress) error {
		return errOf(g.s.CreateRouteTable(g.env, CreateRouteTableInput{DryRun: true, VpcId: g.consumer}))
	})
	add("dry run of a bad request", CodeInvalidRouteTableIDNotFound, func(g *ingress) error {
		return errOf(g.s.CreateRoute(g.env, CreateRouteInput{DryRun: true, RouteTableId: "rtb-0000000000000000f", DestinationCidrBlock: "0.0.0.0/0", GatewayId: g.igw}))
	})
	add("dry run create vpc", CodeDryRunOperation, func(g *ingress) error {
		return errOf(g.s.CreateVpc(g.env, CreateVpcInput{DryRun: true, CidrBlock: "10.1.0.0/16"}))
	})
	add("dry run accept", CodeDryRunOperation, func(g *ingress) error {
		return errOf(g.s.AcceptVpcEndpointConnections(g.env, AcceptVpcEndpointConnectionsInput{DryRun: true, ServiceId: g.svcID, VpcEndpointIds: []string{g.epID}}))
	})
	add("dry run describe", CodeDryRunOperation, func(g *ingress) error {
		return errOf(g.s.DescribeVpcs(g.env, DescribeVpcsInput{DryRun: true}))
	})
	return cases
}

// TestRouteBadInputs: each route-table and internet-gateway rule gives
// EC2's error code and leaves the state as it was.
func TestRouteBadInputs(t *testing.T) {
	runBadCases(t, routeBadCases(), func(t *testing.T) *fixture {
		g := newIngress(t)
		g.fixture.ingress = g
		return g.fixture
	})
}

// val returns v, panicking on err (for set-up inside a bad case's run).
func val[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
