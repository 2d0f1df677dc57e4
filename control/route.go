package control

import (
	"net/netip"
	"slices"
	"strings"
)

// Routes of a route table: create, replace and delete, the blackholing of
// routes whose target goes away, and the longest-prefix match the data
// path reads.

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
