package control

import (
	"slices"
)

// InternetGateway returns the internet gateway with id, or nil.
func (s *State) InternetGateway(id string) *InternetGateway {
	for _, g := range s.InternetGateways {
		if g.InternetGatewayId == id {
			return g
		}
	}
	return nil
}

func (g *InternetGateway) attachedTo(vpcID string) bool {
	return slices.ContainsFunc(g.Attachments, func(a InternetGatewayAttachment) bool { return a.VpcId == vpcID })
}

func cloneInternetGateway(g *InternetGateway) InternetGateway {
	c := *g
	c.Attachments = slices.Clone(g.Attachments)
	if c.Attachments == nil {
		c.Attachments = []InternetGatewayAttachment{}
	}
	c.Tags = slices.Clone(g.Tags)
	if c.Tags == nil {
		c.Tags = []Tag{}
	}
	return c
}

func (s *State) internetGateway(op, id string) (*InternetGateway, error) {
	if id == "" {
		return nil, newError(op, CodeMissingParameter, "The request must contain the parameter internetGatewayId (--internet-gateway-id)")
	}
	if g := s.InternetGateway(id); g != nil {
		return g, nil
	}
	return nil, newError(op, CodeInvalidInternetGatewayIDNotFound, "The internetGateway ID '%s' does not exist", id)
}

// CreateInternetGatewayInput mirrors ec2 CreateInternetGateway.
type CreateInternetGatewayInput struct {
	TagSpecifications []TagSpecification `json:"TagSpecifications,omitempty"`
	DryRun            bool               `json:"DryRun,omitempty"`
}

// CreateInternetGatewayOutput mirrors ec2 CreateInternetGateway's response.
type CreateInternetGatewayOutput struct {
	InternetGateway InternetGateway `json:"InternetGateway"`
}

// CreateInternetGateway creates a detached internet gateway. gwlbctl
// moves no internet traffic through it: it is the target of routes and
// the gateway of edge associations, as in AWS's ingress-routing designs.
func (s *State) CreateInternetGateway(env Env, in CreateInternetGatewayInput) (*CreateInternetGatewayOutput, error) {
	const op = "CreateInternetGateway"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).CreateInternetGateway)
	}
	tags, err := tagsFor(op, in.TagSpecifications, "internet-gateway")
	if err != nil {
		return nil, err
	}
	if tags == nil {
		tags = []Tag{}
	}
	g := &InternetGateway{Attachments: []InternetGatewayAttachment{}, InternetGatewayId: env.ec2ID("igw-"), OwnerId: env.Account, Tags: tags}
	s.InternetGateways = append(s.InternetGateways, g)
	return &CreateInternetGatewayOutput{InternetGateway: cloneInternetGateway(g)}, nil
}

// InternetGatewayVpcInput is the request of attach- and
// detach-internet-gateway.
type InternetGatewayVpcInput struct {
	DryRun            bool   `json:"DryRun,omitempty"`
	InternetGatewayId string `json:"InternetGatewayId"`
	VpcId             string `json:"VpcId"`
}

// AttachInternetGatewayInput mirrors ec2 AttachInternetGateway.
type AttachInternetGatewayInput = InternetGatewayVpcInput

// DetachInternetGatewayInput mirrors ec2 DetachInternetGateway.
type DetachInternetGatewayInput = InternetGatewayVpcInput

// AttachInternetGatewayOutput is empty, as AWS's.
type AttachInternetGatewayOutput struct{}

// DetachInternetGatewayOutput is empty, as AWS's.
type DetachInternetGatewayOutput struct{}

// AttachInternetGateway attaches a gateway to a VPC. A gateway attaches to
// one VPC and a VPC has one gateway.
func (s *State) AttachInternetGateway(env Env, in AttachInternetGatewayInput) (*AttachInternetGatewayOutput, error) {
	const op = "AttachInternetGateway"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).AttachInternetGateway)
	}
	g, err := s.internetGateway(op, in.InternetGatewayId)
	if err != nil {
		return nil, err
	}
	if in.VpcId == "" {
		return nil, newError(op, CodeMissingParameter, "The request must contain the parameter vpcId (--vpc-id)")
	}
	if s.Vpc(in.VpcId) == nil {
		return nil, newError(op, CodeInvalidVpcIDNotFound, "The vpc ID '%s' does not exist", in.VpcId)
	}
	if len(g.Attachments) > 0 {
		return nil, newError(op, CodeResourceAlreadyAssociated, "resource %s is already attached to network %s", g.InternetGatewayId, g.Attachments[0].VpcId)
	}
	for _, other := range s.InternetGateways {
		if other.attachedTo(in.VpcId) {
			return nil, newError(op, CodeResourceAlreadyAssociated, "network %s already has an internet gateway attached (%s)", in.VpcId, other.InternetGatewayId)
		}
	}
	g.Attachments = []InternetGatewayAttachment{{State: AttachmentStateAvailable, VpcId: in.VpcId}}
	for _, rt := range s.RouteTables {
		if rt.VpcId != in.VpcId {
			continue
		}
		for i := range rt.Routes {
			if rt.Routes[i].GatewayId == g.InternetGatewayId {
				rt.Routes[i].State = RouteStateActive
			}
		}
	}
	return &AttachInternetGatewayOutput{}, nil
}

// DetachInternetGateway detaches a gateway from its VPC; routes to it turn
// blackhole. A gateway with an edge association stays attached until the
// association is removed.
func (s *State) DetachInternetGateway(env Env, in DetachInternetGatewayInput) (*DetachInternetGatewayOutput, error) {
	const op = "DetachInternetGateway"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).DetachInternetGateway)
	}
	g, err := s.internetGateway(op, in.InternetGatewayId)
	if err != nil {
		return nil, err
	}
	if in.VpcId == "" {
		return nil, newError(op, CodeMissingParameter, "The request must contain the parameter vpcId (--vpc-id)")
	}
	if !g.attachedTo(in.VpcId) {
		return nil, newError(op, CodeGatewayNotAttached, "resource %s is not attached to network %s", g.InternetGatewayId, in.VpcId)
	}
	if rt, a := s.explicitAssociation("", g.InternetGatewayId); rt != nil {
		return nil, newError(op, CodeDependencyViolation, "The internetGateway '%s' has dependencies and cannot be detached (edge association %s with %s; disassociate-route-table first)", g.InternetGatewayId, a.RouteTableAssociationId, rt.RouteTableId)
	}
	g.Attachments = []InternetGatewayAttachment{}
	s.blackholeRoutesTo(g.InternetGatewayId)
	return &DetachInternetGatewayOutput{}, nil
}

// DeleteInternetGatewayInput mirrors ec2 DeleteInternetGateway.
type DeleteInternetGatewayInput struct {
	DryRun            bool   `json:"DryRun,omitempty"`
	InternetGatewayId string `json:"InternetGatewayId"`
}

// DeleteInternetGatewayOutput is empty, as AWS's.
type DeleteInternetGatewayOutput struct{}

// DeleteInternetGateway deletes a detached gateway.
func (s *State) DeleteInternetGateway(env Env, in DeleteInternetGatewayInput) (*DeleteInternetGatewayOutput, error) {
	const op = "DeleteInternetGateway"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).DeleteInternetGateway)
	}
	g, err := s.internetGateway(op, in.InternetGatewayId)
	if err != nil {
		return nil, err
	}
	if len(g.Attachments) > 0 {
		return nil, newError(op, CodeDependencyViolation, "The internetGateway '%s' has dependencies and cannot be deleted (attached to %s; detach-internet-gateway first)", g.InternetGatewayId, g.Attachments[0].VpcId)
	}
	s.InternetGateways = slices.DeleteFunc(s.InternetGateways, func(x *InternetGateway) bool { return x == g })
	return &DeleteInternetGatewayOutput{}, nil
}

// DescribeInternetGatewaysInput mirrors ec2 DescribeInternetGateways.
type DescribeInternetGatewaysInput struct {
	Filters            []Filter `json:"Filters,omitempty"`
	DryRun             bool     `json:"DryRun,omitempty"`
	InternetGatewayIds []string `json:"InternetGatewayIds,omitempty"`
	NextToken          string   `json:"NextToken,omitempty"`
	MaxResults         *int     `json:"MaxResults,omitempty"`
}

// DescribeInternetGatewaysOutput mirrors the response.
type DescribeInternetGatewaysOutput struct {
	InternetGateways []InternetGateway `json:"InternetGateways"`
	NextToken        string            `json:"NextToken,omitempty"`
}

func internetGatewayFilter(g *InternetGateway) filterValues {
	return func(name string) ([]string, bool) {
		switch name {
		case "internet-gateway-id":
			return []string{g.InternetGatewayId}, true
		case "owner-id":
			return []string{g.OwnerId}, true
		case "attachment.vpc-id":
			var out []string
			for _, a := range g.Attachments {
				out = append(out, a.VpcId)
			}
			return out, true
		case "attachment.state":
			var out []string
			for _, a := range g.Attachments {
				out = append(out, a.State)
			}
			return out, true
		}
		return tagFilter(g.Tags, name)
	}
}

// DescribeInternetGateways lists internet gateways by id and filters.
func (s *State) DescribeInternetGateways(env Env, in DescribeInternetGatewaysInput) (*DescribeInternetGatewaysOutput, error) {
	const op = "DescribeInternetGateways"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).DescribeInternetGateways)
	}
	if err := checkFilters(op, in.Filters, internetGatewayFilter(&InternetGateway{})); err != nil {
		return nil, err
	}
	for _, id := range in.InternetGatewayIds {
		if s.InternetGateway(id) == nil {
			return nil, newError(op, CodeInvalidInternetGatewayIDNotFound, "The internetGateway ID '%s' does not exist", id)
		}
	}
	var match []*InternetGateway
	for _, g := range s.InternetGateways {
		if len(in.InternetGatewayIds) > 0 && !slices.Contains(in.InternetGatewayIds, g.InternetGatewayId) {
			continue
		}
		if matchFilters(in.Filters, internetGatewayFilter(g)) {
			match = append(match, g)
		}
	}
	pg, next, err := page(ec2Paging(op, in.MaxResults, in.NextToken, MaxEC2MaxResults, false), match, func(g *InternetGateway) string { return g.InternetGatewayId })
	if err != nil {
		return nil, err
	}
	out := &DescribeInternetGatewaysOutput{InternetGateways: []InternetGateway{}, NextToken: next}
	for _, g := range pg {
		out.InternetGateways = append(out.InternetGateways, cloneInternetGateway(g))
	}
	return out, nil
}
