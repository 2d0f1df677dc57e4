package apply

import (
	"slices"
	"strings"

	"github.com/gwlbctl/gwlbctl/control"
)

// internetGateways creates the topology's internet gateways, attaches them
// to their VPC and brings their tags in line.
func (r *reconciler) internetGateways() error {
	tags := func(g *control.InternetGateway) []control.Tag { return g.Tags }
	for _, g := range r.t.InternetGateways {
		vpcID := r.vpcRef(g.Vpc)
		have, err := byTagName(r.s.InternetGateways, g.Name, "internet-gateway", "internet gateways", tags)
		if err != nil {
			return err
		}
		created := have == nil
		if created {
			out, err := r.s.CreateInternetGateway(r.env, control.CreateInternetGatewayInput{TagSpecifications: tagSpec("internet-gateway", desiredTags(g.Tags, g.Name, true))})
			if err != nil {
				return wrap("internet-gateway", g.Name, err)
			}
			have = r.s.InternetGateway(out.InternetGateway.InternetGatewayId)
			r.add(Create, "internet-gateway", g.Name, "attached to %s", g.Vpc)
		} else if err := r.ec2Tags("internet-gateway", g.Name, have.InternetGatewayId, have.Tags, g.Tags); err != nil {
			return err
		}
		id := have.InternetGatewayId
		r.igwIDs[g.Name] = id
		attached := slices.ContainsFunc(have.Attachments, func(a control.InternetGatewayAttachment) bool { return a.VpcId == vpcID })
		for _, a := range slices.Clone(have.Attachments) {
			if a.VpcId != vpcID {
				if _, err := r.s.DetachInternetGateway(r.env, control.DetachInternetGatewayInput{InternetGatewayId: id, VpcId: a.VpcId}); err != nil {
					return wrap("internet-gateway", g.Name, err)
				}
				r.add(Update, "internet-gateway", g.Name, "detach from %s", a.VpcId)
			}
		}
		if !attached {
			if _, err := r.s.AttachInternetGateway(r.env, control.AttachInternetGatewayInput{InternetGatewayId: id, VpcId: vpcID}); err != nil {
				return wrap("internet-gateway", g.Name, err)
			}
			if !created {
				r.add(Update, "internet-gateway", g.Name, "attach to %s", g.Vpc)
			}
		}
	}
	return nil
}

// deleteInternetGateways detaches and deletes the managed gateways the
// topology no longer lists.
func (r *reconciler) deleteInternetGateways() error {
	keep := names(r.t.InternetGateways, func(g GatewaySpec) string { return g.Name })
	tags := func(g *control.InternetGateway) []control.Tag { return g.Tags }
	return prune(r, "internet-gateway", r.s.InternetGateways, keep, tags, func(g *control.InternetGateway) string { return nameOf(g.Tags) },
		func(g *control.InternetGateway) (string, error) {
			for _, a := range slices.Clone(g.Attachments) {
				if _, err := r.s.DetachInternetGateway(r.env, control.DetachInternetGatewayInput{InternetGatewayId: g.InternetGatewayId, VpcId: a.VpcId}); err != nil {
					return g.InternetGatewayId, err
				}
			}
			_, err := r.s.DeleteInternetGateway(r.env, control.DeleteInternetGatewayInput{InternetGatewayId: g.InternetGatewayId})
			return g.InternetGatewayId, err
		})
}

func routeTableTags(rt *control.RouteTable) []control.Tag { return rt.Tags }

// routeTables creates the topology's route tables and brings their tags,
// routes and associations in line. A route whose target changed is
// replaced; the local route stays as it is.
func (r *reconciler) routeTables() error {
	for _, spec := range r.t.RouteTables {
		vpcID := r.vpcRef(spec.Vpc)
		have, err := byTagName(r.s.RouteTables, spec.Name, "route-table", "route tables", routeTableTags)
		if err != nil {
			return err
		}
		if have != nil && have.VpcId != vpcID {
			return wrap("route-table", spec.Name, errString("it is in "+have.VpcId+" and cannot move to "+spec.Vpc+"; rename it in the file to create a new one"))
		}
		if have == nil {
			out, err := r.s.CreateRouteTable(r.env, control.CreateRouteTableInput{VpcId: vpcID, TagSpecifications: tagSpec("route-table", desiredTags(spec.Tags, spec.Name, true))})
			if err != nil {
				return wrap("route-table", spec.Name, err)
			}
			have = r.s.RouteTable(out.RouteTable.RouteTableId)
			r.add(Create, "route-table", spec.Name, "in %s", spec.Vpc)
		} else if err := r.ec2Tags("route-table", spec.Name, have.RouteTableId, have.Tags, spec.Tags); err != nil {
			return err
		}
		if err := r.routes(spec, have); err != nil {
			return err
		}
		if err := r.associations(spec, have); err != nil {
			return err
		}
	}
	return nil
}

type errString string

func (e errString) Error() string { return string(e) }

func (r *reconciler) routes(spec RouteTableSpec, rt *control.RouteTable) error {
	want := map[string]string{}
	for _, rs := range spec.Routes {
		target := r.epIDs[rs.Endpoint]
		if rs.Gateway != "" {
			target = r.igwIDs[rs.Gateway]
		}
		want[rs.Destination] = target
	}
	for _, route := range slices.Clone(rt.Routes) {
		if route.Origin == control.RouteOriginCreateRouteTable {
			continue
		}
		if _, ok := want[route.DestinationCidrBlock]; !ok {
			if _, err := r.s.DeleteRoute(r.env, control.DeleteRouteInput{RouteTableId: rt.RouteTableId, DestinationCidrBlock: route.DestinationCidrBlock}); err != nil {
				return wrap("route-table", spec.Name, err)
			}
			r.add(Update, "route-table", spec.Name, "delete route %s", route.DestinationCidrBlock)
		}
	}
	for _, rs := range spec.Routes {
		in := control.RouteInput{RouteTableId: rt.RouteTableId, DestinationCidrBlock: rs.Destination}
		target := want[rs.Destination]
		if strings.HasPrefix(target, "igw-") {
			in.GatewayId = target
		} else {
			in.VpcEndpointId = target
		}
		i := slices.IndexFunc(rt.Routes, func(x control.Route) bool { return x.DestinationCidrBlock == rs.Destination })
		switch {
		case i < 0:
			if _, err := r.s.CreateRoute(r.env, in); err != nil {
				return wrap("route-table", spec.Name, err)
			}
			r.add(Update, "route-table", spec.Name, "route %s to %s", rs.Destination, targetName(rs))
		case rt.Routes[i].GatewayId != target || rt.Routes[i].State != control.RouteStateActive:
			if _, err := r.s.ReplaceRoute(r.env, control.ReplaceRouteInput{RouteInput: in}); err != nil {
				return wrap("route-table", spec.Name, err)
			}
			r.add(Update, "route-table", spec.Name, "route %s to %s (was %s)", rs.Destination, targetName(rs), rt.Routes[i].GatewayId)
		}
	}
	return nil
}

func targetName(rs RouteSpec) string {
	if rs.Gateway != "" {
		return rs.Gateway
	}
	return rs.Endpoint
}

func (r *reconciler) associations(spec RouteTableSpec, rt *control.RouteTable) error {
	var subnets, gateways []string
	for _, s := range spec.Subnets {
		subnets = append(subnets, r.subnetRef(s))
	}
	for _, g := range spec.Gateways {
		gateways = append(gateways, r.igwIDs[g])
	}
	for _, a := range slices.Clone(rt.Associations) {
		if a.Main || slices.Contains(subnets, a.SubnetId) || slices.Contains(gateways, a.GatewayId) {
			continue
		}
		if _, err := r.s.DisassociateRouteTable(r.env, control.DisassociateRouteTableInput{AssociationId: a.RouteTableAssociationId}); err != nil {
			return wrap("route-table", spec.Name, err)
		}
		r.add(Update, "route-table", spec.Name, "disassociate %s%s", a.SubnetId, a.GatewayId)
	}
	associate := func(subnet, gateway, name string) error {
		if slices.ContainsFunc(rt.Associations, func(a control.RouteTableAssociation) bool {
			return subnet != "" && a.SubnetId == subnet || gateway != "" && a.GatewayId == gateway
		}) {
			return nil
		}
		// A subnet associated with another table moves here.
		for _, other := range r.s.RouteTables {
			for _, a := range other.Associations {
				if other != rt && (subnet != "" && a.SubnetId == subnet || gateway != "" && a.GatewayId == gateway) {
					if _, err := r.s.ReplaceRouteTableAssociation(r.env, control.ReplaceRouteTableAssociationInput{AssociationId: a.RouteTableAssociationId, RouteTableId: rt.RouteTableId}); err != nil {
						return wrap("route-table", spec.Name, err)
					}
					r.add(Update, "route-table", spec.Name, "associate %s (moved from %s)", name, nameOrID(other))
					return nil
				}
			}
		}
		if _, err := r.s.AssociateRouteTable(r.env, control.AssociateRouteTableInput{RouteTableId: rt.RouteTableId, SubnetId: subnet, GatewayId: gateway}); err != nil {
			return wrap("route-table", spec.Name, err)
		}
		r.add(Update, "route-table", spec.Name, "associate %s", name)
		return nil
	}
	for i, s := range subnets {
		if err := associate(s, "", spec.Subnets[i]); err != nil {
			return err
		}
	}
	for i, g := range gateways {
		if err := associate("", g, spec.Gateways[i]); err != nil {
			return err
		}
	}
	return nil
}

func nameOrID(rt *control.RouteTable) string {
	if n := nameOf(rt.Tags); n != "" {
		return n
	}
	return rt.RouteTableId
}

// deleteRouteTables disassociates and deletes the managed route tables the
// topology no longer lists.
func (r *reconciler) deleteRouteTables() error {
	keep := names(r.t.RouteTables, func(rt RouteTableSpec) string { return rt.Name })
	return prune(r, "route-table", r.s.RouteTables, keep, routeTableTags, func(rt *control.RouteTable) string { return nameOf(rt.Tags) },
		func(rt *control.RouteTable) (string, error) {
			for _, a := range slices.Clone(rt.Associations) {
				if a.Main {
					continue
				}
				if _, err := r.s.DisassociateRouteTable(r.env, control.DisassociateRouteTableInput{AssociationId: a.RouteTableAssociationId}); err != nil {
					return rt.RouteTableId, err
				}
			}
			_, err := r.s.DeleteRouteTable(r.env, control.DeleteRouteTableInput{RouteTableId: rt.RouteTableId})
			return rt.RouteTableId, err
		})
}
