package control

import (
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
