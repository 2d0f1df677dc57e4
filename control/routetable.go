package control

import (
	"net/netip"
	"slices"
	"strings"
)

// Route table error codes, as EC2 returns them.
const (
	CodeInvalidRouteTableIDNotFound      = "InvalidRouteTableID.NotFound"
	CodeInvalidRouteNotFound             = "InvalidRoute.NotFound"
	CodeRouteAlreadyExists               = "RouteAlreadyExists"
	CodeResourceAlreadyAssociated        = "Resource.AlreadyAssociated"
	CodeInvalidAssociationIDNotFound     = "InvalidAssociationID.NotFound"
	CodeInvalidInternetGatewayIDNotFound = "InvalidInternetGatewayID.NotFound"
	CodeGatewayNotAttached               = "Gateway.NotAttached"
)

// Route table id prefixes.
const (
	routeTablePrefix  = "rtb-"
	associationPrefix = "rtbassoc-"
)

// RouteTable returns the route table with id, or nil. The main route table
// of a VPC from a state file written before route tables existed is found
// too (see mainRouteTableOf).
func (s *State) RouteTable(id string) *RouteTable {
	for _, rt := range s.routeTables() {
		if rt.RouteTableId == id {
			return rt
		}
	}
	return nil
}

// MainRouteTable returns the main route table of the VPC, or nil when the
// VPC does not exist.
func (s *State) MainRouteTable(vpcID string) *RouteTable {
	v := s.Vpc(vpcID)
	if v == nil {
		return nil
	}
	for _, rt := range s.RouteTables {
		if rt.VpcId == vpcID && isMain(rt) {
			return rt
		}
	}
	return legacyMainRouteTable(v)
}

func isMain(rt *RouteTable) bool {
	return slices.ContainsFunc(rt.Associations, func(a RouteTableAssociation) bool { return a.Main })
}

// legacyMainRouteTable is the main route table of a VPC that a state file
// written before route tables existed holds without one: the local route
// only, with ids derived from the VPC's so that every reading of the file
// sees the same table until an operation stores it.
func legacyMainRouteTable(v *Vpc) *RouteTable {
	suffix := strings.TrimPrefix(v.VpcId, "vpc-")
	id := routeTablePrefix + suffix
	return &RouteTable{
		Associations: []RouteTableAssociation{{
			Main: true, RouteTableAssociationId: associationPrefix + suffix, RouteTableId: id,
			AssociationState: RouteTableAssociationState{State: AssociationStateAssociated},
		}},
		PropagatingVgws: []PropagatingVgw{},
		RouteTableId:    id,
		Routes:          []Route{localRoute(v.CidrBlock)},
		Tags:            []Tag{},
		VpcId:           v.VpcId,
		OwnerId:         v.OwnerId,
	}
}

// routeTables is every route table, the legacy main tables included, in
// the order: stored tables, then legacy ones in VPC order.
func (s *State) routeTables() []*RouteTable {
	out := slices.Clone(s.RouteTables)
	for _, v := range s.Vpcs {
		if !slices.ContainsFunc(s.RouteTables, func(rt *RouteTable) bool { return rt.VpcId == v.VpcId && isMain(rt) }) {
			out = append(out, legacyMainRouteTable(v))
		}
	}
	return out
}

// storeLegacyMainTables stores the legacy main tables, so a mutating
// route-table operation changes a table that is in the state.
func (s *State) storeLegacyMainTables() {
	for _, v := range s.Vpcs {
		if !slices.ContainsFunc(s.RouteTables, func(rt *RouteTable) bool { return rt.VpcId == v.VpcId && isMain(rt) }) {
			s.RouteTables = append(s.RouteTables, legacyMainRouteTable(v))
		}
	}
}

func localRoute(cidr string) Route {
	return Route{DestinationCidrBlock: cidr, GatewayId: RouteTargetLocal, Origin: RouteOriginCreateRouteTable, State: RouteStateActive}
}

func newRouteTable(env Env, v *Vpc, tags []Tag) *RouteTable {
	if tags == nil {
		tags = []Tag{}
	}
	return &RouteTable{
		Associations:    []RouteTableAssociation{},
		PropagatingVgws: []PropagatingVgw{},
		RouteTableId:    env.ec2ID(routeTablePrefix),
		Routes:          []Route{localRoute(v.CidrBlock)},
		Tags:            tags,
		VpcId:           v.VpcId,
		OwnerId:         env.Account,
	}
}

func (s *State) routeTable(op, id string) (*RouteTable, error) {
	if id == "" {
		return nil, newError(op, CodeMissingParameter, "The request must contain the parameter routeTableId (--route-table-id)")
	}
	s.storeLegacyMainTables()
	if rt := s.RouteTable(id); rt != nil {
		return rt, nil
	}
	return nil, newError(op, CodeInvalidRouteTableIDNotFound, "The routeTable ID '%s' does not exist", id)
}

// CreateRouteTableInput mirrors ec2 CreateRouteTable.
type CreateRouteTableInput struct {
	DryRun            bool               `json:"DryRun,omitempty"`
	VpcId             string             `json:"VpcId"`
	TagSpecifications []TagSpecification `json:"TagSpecifications,omitempty"`
	ClientToken       string             `json:"ClientToken,omitempty"`
}

// CreateRouteTableOutput mirrors ec2 CreateRouteTable's response.
type CreateRouteTableOutput struct {
	RouteTable  RouteTable `json:"RouteTable"`
	ClientToken string     `json:"ClientToken,omitempty"`
}

// CreateRouteTable creates a route table in a VPC with the VPC's local
// route and no associations.
func (s *State) CreateRouteTable(env Env, in CreateRouteTableInput) (*CreateRouteTableOutput, error) {
	const op = "CreateRouteTable"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).CreateRouteTable)
	}
	if in.VpcId == "" {
		return nil, newError(op, CodeMissingParameter, "The request must contain the parameter vpcId (--vpc-id)")
	}
	v := s.Vpc(in.VpcId)
	if v == nil {
		return nil, newError(op, CodeInvalidVpcIDNotFound, "The vpc ID '%s' does not exist", in.VpcId)
	}
	tags, err := tagsFor(op, in.TagSpecifications, "route-table")
	if err != nil {
		return nil, err
	}
	s.storeLegacyMainTables()
	id, err := s.createdWithToken(op, in.ClientToken, in, func(id string) bool { return s.RouteTable(id) != nil })
	if err != nil {
		return nil, err
	}
	if id != "" {
		return &CreateRouteTableOutput{RouteTable: *cloneRouteTable(s.RouteTable(id)), ClientToken: in.ClientToken}, nil
	}
	rt := newRouteTable(env, v, tags)
	s.RouteTables = append(s.RouteTables, rt)
	if err := s.rememberToken(op, in.ClientToken, in, rt.RouteTableId); err != nil {
		return nil, err
	}
	return &CreateRouteTableOutput{RouteTable: *cloneRouteTable(rt), ClientToken: in.ClientToken}, nil
}

func cloneRouteTable(rt *RouteTable) *RouteTable {
	c := *rt
	c.Associations = slices.Clone(rt.Associations)
	c.PropagatingVgws = slices.Clone(rt.PropagatingVgws)
	c.Routes = slices.Clone(rt.Routes)
	c.Tags = slices.Clone(rt.Tags)
	if c.Tags == nil {
		c.Tags = []Tag{}
	}
	if c.Associations == nil {
		c.Associations = []RouteTableAssociation{}
	}
	if c.PropagatingVgws == nil {
		c.PropagatingVgws = []PropagatingVgw{}
	}
	return &c
}

// DescribeRouteTablesInput mirrors ec2 DescribeRouteTables.
type DescribeRouteTablesInput struct {
	Filters       []Filter `json:"Filters,omitempty"`
	DryRun        bool     `json:"DryRun,omitempty"`
	RouteTableIds []string `json:"RouteTableIds,omitempty"`
	NextToken     string   `json:"NextToken,omitempty"`
	MaxResults    *int     `json:"MaxResults,omitempty"`
}

// DescribeRouteTablesOutput mirrors ec2 DescribeRouteTables' response.
type DescribeRouteTablesOutput struct {
	RouteTables []RouteTable `json:"RouteTables"`
	NextToken   string       `json:"NextToken,omitempty"`
}

func routeTableFilter(rt *RouteTable) filterValues {
	assoc := func(f func(RouteTableAssociation) string) []string {
		var out []string
		for _, a := range rt.Associations {
			if v := f(a); v != "" {
				out = append(out, v)
			}
		}
		return out
	}
	routes := func(f func(Route) string) []string {
		var out []string
		for _, r := range rt.Routes {
			if v := f(r); v != "" {
				out = append(out, v)
			}
		}
		return out
	}
	return func(name string) ([]string, bool) {
		switch name {
		case "route-table-id":
			return []string{rt.RouteTableId}, true
		case "vpc-id":
			return []string{rt.VpcId}, true
		case "owner-id":
			return []string{rt.OwnerId}, true
		case "association.route-table-association-id":
			return assoc(func(a RouteTableAssociation) string { return a.RouteTableAssociationId }), true
		case "association.route-table-id":
			return assoc(func(a RouteTableAssociation) string { return a.RouteTableId }), true
		case "association.subnet-id":
			return assoc(func(a RouteTableAssociation) string { return a.SubnetId }), true
		case "association.gateway-id":
			return assoc(func(a RouteTableAssociation) string { return a.GatewayId }), true
		case "association.main":
			// EC2 matches association.main=false against tables with a
			// non-main association; a table with none matches neither.
			return assoc(func(a RouteTableAssociation) string { return boolString(a.Main) }), true
		case "route.destination-cidr-block":
			return routes(func(r Route) string { return r.DestinationCidrBlock }), true
		case "route.gateway-id":
			return routes(func(r Route) string { return r.GatewayId }), true
		case "route.vpc-endpoint-id":
			return routes(func(r Route) string {
				if strings.HasPrefix(r.GatewayId, "vpce-") {
					return r.GatewayId
				}
				return ""
			}), true
		case "route.origin":
			return routes(func(r Route) string { return r.Origin }), true
		case "route.state":
			return routes(func(r Route) string { return r.State }), true
		}
		return tagFilter(rt.Tags, name)
	}
}

// DescribeRouteTables lists route tables by id and filters, a page at a
// time when MaxResults is given.
func (s *State) DescribeRouteTables(env Env, in DescribeRouteTablesInput) (*DescribeRouteTablesOutput, error) {
	const op = "DescribeRouteTables"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).DescribeRouteTables)
	}
	if err := checkFilters(op, in.Filters, routeTableFilter(&RouteTable{})); err != nil {
		return nil, err
	}
	all := s.routeTables()
	for _, id := range in.RouteTableIds {
		if !slices.ContainsFunc(all, func(rt *RouteTable) bool { return rt.RouteTableId == id }) {
			return nil, newError(op, CodeInvalidRouteTableIDNotFound, "The routeTable ID '%s' does not exist", id)
		}
	}
	var match []*RouteTable
	for _, rt := range all {
		if len(in.RouteTableIds) > 0 && !slices.Contains(in.RouteTableIds, rt.RouteTableId) {
			continue
		}
		if matchFilters(in.Filters, routeTableFilter(rt)) {
			match = append(match, rt)
		}
	}
	pg, next, err := page(ec2Paging(op, in.MaxResults, in.NextToken, MaxRouteTableMaxResults, false), match, func(rt *RouteTable) string { return rt.RouteTableId })
	if err != nil {
		return nil, err
	}
	out := &DescribeRouteTablesOutput{RouteTables: []RouteTable{}, NextToken: next}
	for _, rt := range pg {
		out.RouteTables = append(out.RouteTables, *cloneRouteTable(rt))
	}
	return out, nil
}

// DeleteRouteTableInput mirrors ec2 DeleteRouteTable.
type DeleteRouteTableInput struct {
	DryRun       bool   `json:"DryRun,omitempty"`
	RouteTableId string `json:"RouteTableId"`
}

// DeleteRouteTableOutput is empty, as AWS's.
type DeleteRouteTableOutput struct{}

// DeleteRouteTable deletes a route table that has no associations. The
// main route table has one (with its VPC) and goes with the VPC.
func (s *State) DeleteRouteTable(env Env, in DeleteRouteTableInput) (*DeleteRouteTableOutput, error) {
	const op = "DeleteRouteTable"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).DeleteRouteTable)
	}
	rt, err := s.routeTable(op, in.RouteTableId)
	if err != nil {
		return nil, err
	}
	if len(rt.Associations) > 0 {
		var why []string
		for _, a := range rt.Associations {
			switch {
			case a.Main:
				why = append(why, "it is the main route table of "+rt.VpcId)
			case a.SubnetId != "":
				why = append(why, "associated with "+a.SubnetId+" ("+a.RouteTableAssociationId+")")
			default:
				why = append(why, "associated with "+a.GatewayId+" ("+a.RouteTableAssociationId+")")
			}
		}
		return nil, newError(op, CodeDependencyViolation, "The routeTable '%s' has dependencies and cannot be deleted (%s; disassociate-route-table first)", in.RouteTableId, strings.Join(why, ", "))
	}
	s.RouteTables = slices.DeleteFunc(s.RouteTables, func(x *RouteTable) bool { return x == rt })
	return &DeleteRouteTableOutput{}, nil
}

// RouteInput is the destination and target of a create-route or
// replace-route request.
type RouteInput struct {
	DestinationCidrBlock     string `json:"DestinationCidrBlock,omitempty"`
	DestinationIpv6CidrBlock string `json:"DestinationIpv6CidrBlock,omitempty"`
	DestinationPrefixListId  string `json:"DestinationPrefixListId,omitempty"`
	DryRun                   bool   `json:"DryRun,omitempty"`
	VpcEndpointId            string `json:"VpcEndpointId,omitempty"`
	GatewayId                string `json:"GatewayId,omitempty"`
	InstanceId               string `json:"InstanceId,omitempty"`
	NatGatewayId             string `json:"NatGatewayId,omitempty"`
	TransitGatewayId         string `json:"TransitGatewayId,omitempty"`
	NetworkInterfaceId       string `json:"NetworkInterfaceId,omitempty"`
	RouteTableId             string `json:"RouteTableId"`
	VpcPeeringConnectionId   string `json:"VpcPeeringConnectionId,omitempty"`
}

// CreateRouteInput mirrors ec2 CreateRoute.
type CreateRouteInput = RouteInput

// CreateRouteOutput mirrors ec2 CreateRoute's response.
type CreateRouteOutput = ReturnOutput

// ReplaceRouteInput mirrors ec2 ReplaceRoute; LocalTarget puts a route for
// the VPC's CIDR back to local.
type ReplaceRouteInput struct {
	RouteInput
	LocalTarget *bool `json:"LocalTarget,omitempty"`
}

// ReplaceRouteOutput is empty, as AWS's.
type ReplaceRouteOutput struct{}

// routeDestination checks the destination of a route request.
func routeDestination(op string, in RouteInput) (netip.Prefix, error) {
	if in.DestinationIpv6CidrBlock != "" || in.DestinationPrefixListId != "" {
		return netip.Prefix{}, newError(op, CodeInvalidParameterValue, "gwlbctl routes IPv4 destinations only (--destination-cidr-block); IPv6 and prefix-list destinations are not supported")
	}
	if in.DestinationCidrBlock == "" {
		return netip.Prefix{}, newError(op, CodeMissingParameter, "The request must contain the parameter destinationCidrBlock (--destination-cidr-block 0.0.0.0/0)")
	}
	return parseCIDR(op, "destinationCidrBlock", in.DestinationCidrBlock)
}

// routeTarget resolves the target of a route request in rt's VPC: a
// Gateway Load Balancer endpoint (--vpc-endpoint-id, or its id given as
// --gateway-id) or an internet gateway attached to the VPC.
func (s *State) routeTarget(op string, rt *RouteTable, in RouteInput) (string, error) {
	var given []string
	for _, t := range []string{in.VpcEndpointId, in.GatewayId, in.InstanceId, in.NatGatewayId, in.TransitGatewayId, in.NetworkInterfaceId, in.VpcPeeringConnectionId} {
		if t != "" {
			given = append(given, t)
		}
	}
	switch {
	case len(given) == 0:
		return "", newError(op, CodeMissingParameter, "The request must contain exactly one route target: --vpc-endpoint-id vpce-... (a Gateway Load Balancer endpoint) or --gateway-id igw-...")
	case len(given) > 1:
		return "", newError(op, CodeInvalidParameterCombination, "The request must contain exactly one route target; %s given", strings.Join(given, ", "))
	}
	target := given[0]
	switch {
	case in.InstanceId != "" || in.NatGatewayId != "" || in.TransitGatewayId != "" || in.NetworkInterfaceId != "" || in.VpcPeeringConnectionId != "":
		// Deviation: gwlbctl has no instances, NAT or transit gateways,
		// network interfaces or peering connections to route to.
		return "", newError(op, CodeInvalidParameterValue, "The route target '%s' is not supported: gwlbctl routes to Gateway Load Balancer endpoints (--vpc-endpoint-id vpce-...) and internet gateways (--gateway-id igw-...)", target)
	case strings.HasPrefix(target, "vpce-"):
		e := s.Endpoint(target)
		if e == nil {
			return "", newError(op, CodeInvalidVpcEndpointIDNotFound, "The vpcEndpoint ID '%s' does not exist", target)
		}
		if e.Endpoint.VpcId != rt.VpcId {
			return "", newError(op, CodeInvalidParameterValue, "route table %s and endpoint %s belong to different networks", rt.RouteTableId, target)
		}
		return target, nil
	case strings.HasPrefix(target, "igw-"):
		g := s.InternetGateway(target)
		if g == nil {
			return "", newError(op, CodeInvalidInternetGatewayIDNotFound, "The internetGateway ID '%s' does not exist", target)
		}
		if !g.attachedTo(rt.VpcId) {
			return "", newError(op, CodeInvalidParameterValue, "route table %s and network gateway %s belong to different networks (attach it with attach-internet-gateway)", rt.RouteTableId, target)
		}
		return target, nil
	case in.VpcEndpointId != "":
		return "", newError(op, CodeInvalidVpcEndpointIDNotFound, "The vpcEndpoint ID '%s' does not exist", target)
	default:
		return "", newError(op, CodeInvalidParameterValue, "The gateway ID '%s' does not exist: give an internet gateway (igw-...) or a Gateway Load Balancer endpoint (vpce-...)", target)
	}
}

func (rt *RouteTable) routeIndex(dest netip.Prefix) int {
	return slices.IndexFunc(rt.Routes, func(r Route) bool {
		p, err := netip.ParsePrefix(r.DestinationCidrBlock)
		return err == nil && p == dest
	})
}

// vpcPrefix is the VPC's CIDR, or the zero prefix when it is unreadable.
func (s *State) vpcPrefix(vpcID string) netip.Prefix {
	if v := s.Vpc(vpcID); v != nil {
		if p, err := netip.ParsePrefix(v.CidrBlock); err == nil {
			return p
		}
	}
	return netip.Prefix{}
}

// CreateRoute adds a route. A route for a destination the table already
// routes is refused (RouteAlreadyExists), the VPC's own CIDR included (its
// local route: change its target with replace-route). A destination inside
// the VPC's CIDR may only go to a Gateway Load Balancer endpoint, as on
// AWS, where more specific routes inside a VPC take middlebox targets.
func (s *State) CreateRoute(env Env, in CreateRouteInput) (*CreateRouteOutput, error) {
	const op = "CreateRoute"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).CreateRoute)
	}
	rt, err := s.routeTable(op, in.RouteTableId)
	if err != nil {
		return nil, err
	}
	dest, err := routeDestination(op, in)
	if err != nil {
		return nil, err
	}
	target, err := s.routeTarget(op, rt, in)
	if err != nil {
		return nil, err
	}
	if rt.routeIndex(dest) >= 0 {
		return nil, newError(op, CodeRouteAlreadyExists, "The route identified by %s already exists.", dest)
	}
	if vp := s.vpcPrefix(rt.VpcId); vp.IsValid() && vp.Overlaps(dest) && dest.Bits() > vp.Bits() && !strings.HasPrefix(target, "vpce-") {
		return nil, newError(op, CodeInvalidParameterValue, "The destination CIDR block %s is inside the VPC's %s: only a Gateway Load Balancer endpoint can be the target of a route more specific than the local route", dest, vp)
	}
	rt.Routes = append(rt.Routes, Route{DestinationCidrBlock: dest.String(), GatewayId: target, Origin: RouteOriginCreateRoute, State: RouteStateActive})
	return &CreateRouteOutput{Return: true}, nil
}

// ReplaceRoute changes the target of an existing route (the local route's
// too: LocalTarget=true puts it back to local).
func (s *State) ReplaceRoute(env Env, in ReplaceRouteInput) (*ReplaceRouteOutput, error) {
	const op = "ReplaceRoute"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).ReplaceRoute)
	}
	rt, err := s.routeTable(op, in.RouteTableId)
	if err != nil {
		return nil, err
	}
	dest, err := routeDestination(op, in.RouteInput)
	if err != nil {
		return nil, err
	}
	i := rt.routeIndex(dest)
	if i < 0 {
		return nil, newError(op, CodeInvalidRouteNotFound, "There is no route defined for '%s' in the route table %s. Use CreateRoute instead.", dest, rt.RouteTableId)
	}
	local := rt.Routes[i].Origin == RouteOriginCreateRouteTable
	var target string
	if in.LocalTarget != nil && *in.LocalTarget {
		if !local {
			return nil, newError(op, CodeInvalidParameterValue, "LocalTarget applies to the route for the VPC's CIDR only, not to %s", dest)
		}
		target = RouteTargetLocal
	} else {
		if target, err = s.routeTarget(op, rt, in.RouteInput); err != nil {
			return nil, err
		}
		if local && !strings.HasPrefix(target, "vpce-") {
			return nil, newError(op, CodeInvalidParameterValue, "The local route %s can be replaced only by a Gateway Load Balancer endpoint target (or LocalTarget)", dest)
		}
	}
	rt.Routes[i].GatewayId = target
	rt.Routes[i].State = RouteStateActive
	return &ReplaceRouteOutput{}, nil
}

// DeleteRouteInput mirrors ec2 DeleteRoute.
type DeleteRouteInput struct {
	DestinationCidrBlock     string `json:"DestinationCidrBlock,omitempty"`
	DestinationIpv6CidrBlock string `json:"DestinationIpv6CidrBlock,omitempty"`
	DestinationPrefixListId  string `json:"DestinationPrefixListId,omitempty"`
	DryRun                   bool   `json:"DryRun,omitempty"`
	RouteTableId             string `json:"RouteTableId"`
}

// DeleteRouteOutput is empty, as AWS's.
type DeleteRouteOutput struct{}

// DeleteRoute removes a route; the local route stays.
func (s *State) DeleteRoute(env Env, in DeleteRouteInput) (*DeleteRouteOutput, error) {
	const op = "DeleteRoute"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).DeleteRoute)
	}
	rt, err := s.routeTable(op, in.RouteTableId)
	if err != nil {
		return nil, err
	}
	dest, err := routeDestination(op, RouteInput{DestinationCidrBlock: in.DestinationCidrBlock, DestinationIpv6CidrBlock: in.DestinationIpv6CidrBlock, DestinationPrefixListId: in.DestinationPrefixListId})
	if err != nil {
		return nil, err
	}
	i := rt.routeIndex(dest)
	if i < 0 {
		return nil, newError(op, CodeInvalidRouteNotFound, "no route with destination-cidr-block %s in route table %s", dest, rt.RouteTableId)
	}
	if rt.Routes[i].Origin == RouteOriginCreateRouteTable {
		return nil, newError(op, CodeInvalidParameterValue, "cannot remove local route %s in route table %s", dest, rt.RouteTableId)
	}
	rt.Routes = slices.Delete(rt.Routes, i, i+1)
	return &DeleteRouteOutput{}, nil
}

// AssociateRouteTableInput mirrors ec2 AssociateRouteTable: a subnet, or an
// internet gateway for an edge association.
type AssociateRouteTableInput struct {
	DryRun       bool   `json:"DryRun,omitempty"`
	RouteTableId string `json:"RouteTableId"`
	SubnetId     string `json:"SubnetId,omitempty"`
	GatewayId    string `json:"GatewayId,omitempty"`
}

// AssociateRouteTableOutput mirrors ec2 AssociateRouteTable's response.
type AssociateRouteTableOutput struct {
	AssociationId    string                     `json:"AssociationId"`
	AssociationState RouteTableAssociationState `json:"AssociationState"`
}

// association returns the route table and index of the association with
// id, or nil.
func (s *State) association(id string) (*RouteTable, int) {
	for _, rt := range s.RouteTables {
		if i := slices.IndexFunc(rt.Associations, func(a RouteTableAssociation) bool { return a.RouteTableAssociationId == id }); i >= 0 {
			return rt, i
		}
	}
	return nil, -1
}

// explicitAssociation returns the route table explicitly associated with
// a subnet or gateway, or nil.
func (s *State) explicitAssociation(subnetID, gatewayID string) (*RouteTable, *RouteTableAssociation) {
	for _, rt := range s.RouteTables {
		for i, a := range rt.Associations {
			if (subnetID != "" && a.SubnetId == subnetID) || (gatewayID != "" && a.GatewayId == gatewayID) {
				return rt, &rt.Associations[i]
			}
		}
	}
	return nil, nil
}

// checkAssociationTarget checks that a subnet or gateway may take rt.
func (s *State) checkAssociationTarget(op string, rt *RouteTable, subnetID, gatewayID string) error {
	switch {
	case subnetID == "" && gatewayID == "":
		return newError(op, CodeMissingParameter, "The request must contain the parameter subnetId (--subnet-id) or gatewayId (--gateway-id igw-... for an edge association)")
	case subnetID != "" && gatewayID != "":
		return newError(op, CodeInvalidParameterCombination, "Give either --subnet-id or --gateway-id, not both")
	case subnetID != "":
		sn := s.Subnet(subnetID)
		if sn == nil {
			return newError(op, CodeInvalidSubnetIDNotFound, "The subnet ID '%s' does not exist", subnetID)
		}
		if sn.VpcId != rt.VpcId {
			return newError(op, CodeInvalidParameterValue, "Route table %s and subnet %s belong to different networks", rt.RouteTableId, subnetID)
		}
	default:
		if !strings.HasPrefix(gatewayID, "igw-") {
			return newError(op, CodeInvalidParameterValue, "The gateway ID '%s' is not valid for an edge association: give an internet gateway (igw-...)", gatewayID)
		}
		g := s.InternetGateway(gatewayID)
		if g == nil {
			return newError(op, CodeInvalidInternetGatewayIDNotFound, "The internetGateway ID '%s' does not exist", gatewayID)
		}
		if !g.attachedTo(rt.VpcId) {
			return newError(op, CodeGatewayNotAttached, "resource %s is not attached to network %s (attach-internet-gateway first)", gatewayID, rt.VpcId)
		}
	}
	return nil
}

// AssociateRouteTable associates a route table with a subnet (which then
// routes through it instead of the main table) or with an internet gateway
// attached to the VPC (ingress routing: traffic entering through the
// gateway follows the table). A subnet or gateway has at most one
// explicit association: another one is Resource.AlreadyAssociated (change
// it with replace-route-table-association).
func (s *State) AssociateRouteTable(env Env, in AssociateRouteTableInput) (*AssociateRouteTableOutput, error) {
	const op = "AssociateRouteTable"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).AssociateRouteTable)
	}
	rt, err := s.routeTable(op, in.RouteTableId)
	if err != nil {
		return nil, err
	}
	if err := s.checkAssociationTarget(op, rt, in.SubnetId, in.GatewayId); err != nil {
		return nil, err
	}
	if other, a := s.explicitAssociation(in.SubnetId, in.GatewayId); other != nil {
		return nil, newError(op, CodeResourceAlreadyAssociated, "the specified association for route table %s conflicts with an existing association (%s with %s)", rt.RouteTableId, a.RouteTableAssociationId, other.RouteTableId)
	}
	a := RouteTableAssociation{
		RouteTableAssociationId: env.ec2ID(associationPrefix), RouteTableId: rt.RouteTableId,
		SubnetId: in.SubnetId, GatewayId: in.GatewayId,
		AssociationState: RouteTableAssociationState{State: AssociationStateAssociated},
	}
	rt.Associations = append(rt.Associations, a)
	return &AssociateRouteTableOutput{AssociationId: a.RouteTableAssociationId, AssociationState: a.AssociationState}, nil
}

// DisassociateRouteTableInput mirrors ec2 DisassociateRouteTable.
type DisassociateRouteTableInput struct {
	AssociationId string `json:"AssociationId"`
	DryRun        bool   `json:"DryRun,omitempty"`
}

// DisassociateRouteTableOutput is empty, as AWS's.
type DisassociateRouteTableOutput struct{}

// DisassociateRouteTable removes a subnet or gateway association; the
// subnet then uses the main route table again. The main association
// cannot be removed (make another table main with
// replace-route-table-association).
func (s *State) DisassociateRouteTable(env Env, in DisassociateRouteTableInput) (*DisassociateRouteTableOutput, error) {
	const op = "DisassociateRouteTable"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).DisassociateRouteTable)
	}
	if in.AssociationId == "" {
		return nil, newError(op, CodeMissingParameter, "The request must contain the parameter associationId (--association-id)")
	}
	s.storeLegacyMainTables()
	rt, i := s.association(in.AssociationId)
	if rt == nil {
		return nil, newError(op, CodeInvalidAssociationIDNotFound, "The association ID '%s' does not exist", in.AssociationId)
	}
	if rt.Associations[i].Main {
		return nil, newError(op, CodeInvalidParameterValue, "cannot disassociate the main route table association %s (make another table main with replace-route-table-association)", in.AssociationId)
	}
	rt.Associations = slices.Delete(rt.Associations, i, i+1)
	return &DisassociateRouteTableOutput{}, nil
}

// ReplaceRouteTableAssociationInput mirrors ec2 ReplaceRouteTableAssociation.
type ReplaceRouteTableAssociationInput struct {
	AssociationId string `json:"AssociationId"`
	DryRun        bool   `json:"DryRun,omitempty"`
	RouteTableId  string `json:"RouteTableId"`
}

// ReplaceRouteTableAssociationOutput mirrors the response.
type ReplaceRouteTableAssociationOutput struct {
	NewAssociationId string                     `json:"NewAssociationId"`
	AssociationState RouteTableAssociationState `json:"AssociationState"`
}

// ReplaceRouteTableAssociation moves an association (a subnet's, a
// gateway's, or the VPC's main one) to another route table of the VPC,
// under a new association id.
func (s *State) ReplaceRouteTableAssociation(env Env, in ReplaceRouteTableAssociationInput) (*ReplaceRouteTableAssociationOutput, error) {
	const op = "ReplaceRouteTableAssociation"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).ReplaceRouteTableAssociation)
	}
	if in.AssociationId == "" {
		return nil, newError(op, CodeMissingParameter, "The request must contain the parameter associationId (--association-id)")
	}
	to, err := s.routeTable(op, in.RouteTableId)
	if err != nil {
		return nil, err
	}
	from, i := s.association(in.AssociationId)
	if from == nil {
		return nil, newError(op, CodeInvalidAssociationIDNotFound, "The association ID '%s' does not exist", in.AssociationId)
	}
	if from.VpcId != to.VpcId {
		return nil, newError(op, CodeInvalidParameterValue, "Route table %s and association %s belong to different networks", to.RouteTableId, in.AssociationId)
	}
	a := from.Associations[i]
	from.Associations = slices.Delete(from.Associations, i, i+1)
	a.RouteTableAssociationId = env.ec2ID(associationPrefix)
	a.RouteTableId = to.RouteTableId
	to.Associations = append(to.Associations, a)
	return &ReplaceRouteTableAssociationOutput{NewAssociationId: a.RouteTableAssociationId, AssociationState: a.AssociationState}, nil
}

// blackholeRoutesTo marks the routes whose target is id as blackhole (their
// endpoint or gateway went away), as EC2 does.
func (s *State) blackholeRoutesTo(id string) {
	for _, rt := range s.RouteTables {
		for i := range rt.Routes {
			if rt.Routes[i].GatewayId == id {
				rt.Routes[i].State = RouteStateBlackhole
			}
		}
	}
}

// dropSubnetAssociations removes a deleted subnet's associations.
func (s *State) dropSubnetAssociations(subnetID string) {
	for _, rt := range s.RouteTables {
		rt.Associations = slices.DeleteFunc(rt.Associations, func(a RouteTableAssociation) bool { return a.SubnetId == subnetID })
	}
}

// RouteMatch is the route that carries traffic to a destination: the
// route, the table it is in, and whether that table is the VPC's main
// table (the subnet has no explicit association).
type RouteMatch struct {
	RouteTableId string
	Main         bool
	Route        Route
	Destination  netip.Prefix
}

// Local reports whether the route delivers inside the VPC.
func (m RouteMatch) Local() bool { return m.Route.GatewayId == RouteTargetLocal }

// Blackhole reports whether the route's target is gone: traffic it
// carries is dropped.
func (m RouteMatch) Blackhole() bool { return m.Route.State == RouteStateBlackhole }

// SubnetRoute answers "which route applies to traffic from subnet to dst":
// the longest prefix match over the subnet's route table, or the VPC's main
// table when the subnet has no explicit association. ok is false when no
// route matches (the traffic has no route and is dropped). The routed data
// path takes its post-inspection next hop from it.
func (s *State) SubnetRoute(subnetID string, dst netip.Addr) (m RouteMatch, ok bool, err error) {
	sn := s.Subnet(subnetID)
	if sn == nil {
		return RouteMatch{}, false, newError("RouteLookup", CodeInvalidSubnetIDNotFound, "The subnet ID '%s' does not exist", subnetID)
	}
	rt, _ := s.explicitAssociation(subnetID, "")
	main := false
	if rt == nil {
		rt, main = s.MainRouteTable(sn.VpcId), true
	}
	if rt == nil {
		return RouteMatch{}, false, nil
	}
	m, ok = longestMatch(rt, dst)
	m.Main = main
	return m, ok, nil
}

// GatewayRoute answers the same for traffic entering the VPC through an
// internet gateway: the longest prefix match over the gateway's edge
// route table; ok is false when the gateway has no edge association (the
// traffic goes to its destination by the local route) or nothing matches.
func (s *State) GatewayRoute(gatewayID string, dst netip.Addr) (RouteMatch, bool) {
	rt, _ := s.explicitAssociation("", gatewayID)
	if rt == nil {
		return RouteMatch{}, false
	}
	return longestMatch(rt, dst)
}

func longestMatch(rt *RouteTable, dst netip.Addr) (RouteMatch, bool) {
	best := RouteMatch{RouteTableId: rt.RouteTableId}
	found := false
	for _, r := range rt.Routes {
		p, err := netip.ParsePrefix(r.DestinationCidrBlock)
		if err != nil || !p.Contains(dst) {
			continue
		}
		if !found || p.Bits() > best.Destination.Bits() {
			best.Route, best.Destination, found = r, p, true
		}
	}
	return best, found
}
