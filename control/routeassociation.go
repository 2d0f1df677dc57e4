package control

import (
	"slices"
	"strings"
)

// Route table associations: subnets and (edge) internet gateways.

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

// dropSubnetAssociations removes a deleted subnet's associations.
func (s *State) dropSubnetAssociations(subnetID string) {
	for _, rt := range s.RouteTables {
		rt.Associations = slices.DeleteFunc(rt.Associations, func(a RouteTableAssociation) bool { return a.SubnetId == subnetID })
	}
}
