package control

import (
	"slices"
	"strconv"
	"strings"
)

// CreateVpcEndpointInput mirrors ec2 CreateVpcEndpoint for Gateway Load
// Balancer endpoints.
type CreateVpcEndpointInput struct {
	DryRun            bool               `json:"DryRun,omitempty"`
	VpcEndpointType   string             `json:"VpcEndpointType"`
	VpcId             string             `json:"VpcId"`
	ServiceName       string             `json:"ServiceName"`
	SubnetIds         []string           `json:"SubnetIds,omitempty"`
	RouteTableIds     []string           `json:"RouteTableIds,omitempty"`
	SecurityGroupIds  []string           `json:"SecurityGroupIds,omitempty"`
	PrivateDnsEnabled *bool              `json:"PrivateDnsEnabled,omitempty"`
	IpAddressType     string             `json:"IpAddressType,omitempty"`
	ClientToken       string             `json:"ClientToken,omitempty"`
	TagSpecifications []TagSpecification `json:"TagSpecifications,omitempty"`
}

// CreateVpcEndpointOutput mirrors ec2 CreateVpcEndpoint's response.
type CreateVpcEndpointOutput struct {
	VpcEndpoint VpcEndpoint `json:"VpcEndpoint"`
	ClientToken string      `json:"ClientToken,omitempty"`
}

// CreateVpcEndpoint creates a Gateway Load Balancer endpoint in exactly one
// subnet. The subnet's zone must be one of the service's (its load
// balancers'), and a VPC has at most one endpoint per zone per service:
// repeating a request returns the existing endpoint. The endpoint starts
// pendingAcceptance when the service requires acceptance, else available.
// The caller's principal (Env.Principal) must be allowed by the service.
//
// Deviation: AWS documents "one endpoint per Availability Zone per service"
// in the consumer VPC's context; gwlbctl applies the rule per VPC, so
// several consumer VPCs can each have an endpoint in the same zone.
func (s *State) CreateVpcEndpoint(env Env, in CreateVpcEndpointInput) (*CreateVpcEndpointOutput, error) {
	const op = "CreateVpcEndpoint"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).CreateVpcEndpoint)
	}
	if in.VpcEndpointType != EndpointTypeGatewayLoadBalancer {
		return nil, newError(op, CodeInvalidParameter, "Endpoint type '%s' is not supported: gwlbctl creates --vpc-endpoint-type GatewayLoadBalancer endpoints", in.VpcEndpointType)
	}
	if in.VpcId == "" {
		return nil, newError(op, CodeMissingParameter, "The request must contain the parameter VpcId (--vpc-id)")
	}
	if in.ServiceName == "" {
		return nil, newError(op, CodeMissingParameter, "The request must contain the parameter ServiceName (--service-name)")
	}
	if len(in.RouteTableIds) > 0 || len(in.SecurityGroupIds) > 0 || (in.PrivateDnsEnabled != nil && *in.PrivateDnsEnabled) {
		return nil, newError(op, CodeInvalidParameter, "Route tables, security groups and private DNS are not supported for GatewayLoadBalancer endpoints")
	}
	if s.Vpc(in.VpcId) == nil {
		return nil, newError(op, CodeInvalidVpcIDNotFound, "The vpc ID '%s' does not exist", in.VpcId)
	}
	svc := s.EndpointServiceByName(in.ServiceName)
	if svc == nil || !svc.PrincipalAllowed(env.Principal()) {
		// AWS hides services the caller may not use behind the same error.
		return nil, newError(op, CodeInvalidServiceName, "The Vpc Endpoint Service '%s' does not exist or principal %s is not allowed to use it (the service owner adds it with modify-vpc-endpoint-service-permissions)", in.ServiceName, env.Principal())
	}
	if svc.Service.ServiceState != ServiceStateAvailable {
		return nil, newError(op, CodeInvalidServiceName, "The Vpc Endpoint Service '%s' is %s", in.ServiceName, svc.Service.ServiceState)
	}
	if len(in.SubnetIds) != 1 {
		return nil, newError(op, CodeInvalidParameter, "A GatewayLoadBalancer endpoint needs exactly one subnet (--subnet-ids subnet-...); %d given", len(in.SubnetIds))
	}
	sn := s.Subnet(in.SubnetIds[0])
	if sn == nil {
		return nil, newError(op, CodeInvalidSubnetIDNotFound, "The subnet ID '%s' does not exist", in.SubnetIds[0])
	}
	if sn.VpcId != in.VpcId {
		return nil, newError(op, CodeInvalidParameter, "The subnet '%s' belongs to %s, not to %s", sn.SubnetId, sn.VpcId, in.VpcId)
	}
	if !slices.Contains(svc.Service.AvailabilityZones, sn.AvailabilityZone) {
		return nil, newError(op, CodeInvalidParameter, "The VPC endpoint service %s does not support the availability zone of the subnet: %s (%s); its load balancers are in %s",
			svc.Service.ServiceId, sn.SubnetId, sn.AvailabilityZone, strings.Join(svc.Service.AvailabilityZones, ", "))
	}
	ipType := in.IpAddressType
	if ipType == "" {
		ipType = "ipv4"
	}
	if !slices.Contains(svc.Service.SupportedIpAddressTypes, ipType) && !(ipType == "dualstack" && slices.Contains(svc.Service.SupportedIpAddressTypes, "ipv6")) {
		return nil, newError(op, CodeInvalidParameter, "IP address type '%s' is not supported by service %s", ipType, svc.Service.ServiceId)
	}
	tags, err := tagsFor(op, in.TagSpecifications, "vpc-endpoint")
	if err != nil {
		return nil, err
	}
	id, err := s.createdWithToken(op, in.ClientToken, in, func(id string) bool { return s.Endpoint(id) != nil })
	if err != nil {
		return nil, err
	}
	if id != "" {
		return &CreateVpcEndpointOutput{VpcEndpoint: s.Endpoint(id).Endpoint, ClientToken: in.ClientToken}, nil
	}
	if in.ClientToken != "" { // a state written before ClientTokens kept the token on the record only
		for _, e := range s.Endpoints {
			if e.ClientToken == in.ClientToken {
				if e.Endpoint.VpcId != in.VpcId || e.ServiceId != svc.Service.ServiceId || !slices.Equal(e.Endpoint.SubnetIds, in.SubnetIds) {
					return nil, newError(op, CodeIdempotentParameterMismatch, "Client token '%s' was used with different parameters", in.ClientToken)
				}
				return &CreateVpcEndpointOutput{VpcEndpoint: e.Endpoint, ClientToken: in.ClientToken}, nil
			}
		}
	}
	for _, e := range s.Endpoints {
		if e.ServiceId != svc.Service.ServiceId || e.Endpoint.VpcId != in.VpcId || e.AvailabilityZone != sn.AvailabilityZone {
			continue
		}
		if slices.Equal(e.Endpoint.SubnetIds, in.SubnetIds) {
			if err := s.rememberToken(op, in.ClientToken, in, e.Endpoint.VpcEndpointId); err != nil {
				return nil, err
			}
			return &CreateVpcEndpointOutput{VpcEndpoint: e.Endpoint, ClientToken: in.ClientToken}, nil
		}
		return nil, newError(op, CodeInvalidParameter, "VPC %s already has endpoint %s for service %s in %s; a VPC has one Gateway Load Balancer endpoint per Availability Zone per service",
			in.VpcId, e.Endpoint.VpcEndpointId, svc.Service.ServiceId, sn.AvailabilityZone)
	}
	state := EndpointStateAvailable
	if svc.Service.AcceptanceRequired {
		state = EndpointStatePendingAcceptance
	}
	attachment, _ := strconv.ParseUint(env.hexID(16), 16, 64)
	e := &EndpointRecord{
		Endpoint: VpcEndpoint{
			VpcEndpointId:       env.ec2ID("vpce-"),
			VpcEndpointType:     EndpointTypeGatewayLoadBalancer,
			VpcId:               in.VpcId,
			ServiceName:         in.ServiceName,
			State:               state,
			RouteTableIds:       []string{},
			SubnetIds:           slices.Clone(in.SubnetIds),
			Groups:              []SecurityGroupIdentifier{},
			IpAddressType:       ipType,
			NetworkInterfaceIds: []string{env.ec2ID("eni-")},
			CreationTimestamp:   NewTimestamp(env.now()),
			OwnerId:             env.Account,
			Tags:                tags,
		},
		ServiceId:        svc.Service.ServiceId,
		AvailabilityZone: sn.AvailabilityZone,
		ConnectionId:     env.ec2ID("vpce-con-"),
		AttachmentId:     attachment,
		ClientToken:      in.ClientToken,
	}
	if err := s.rememberToken(op, in.ClientToken, in, e.Endpoint.VpcEndpointId); err != nil {
		return nil, err
	}
	s.Endpoints = append(s.Endpoints, e)
	return &CreateVpcEndpointOutput{VpcEndpoint: e.Endpoint, ClientToken: in.ClientToken}, nil
}

// DescribeVpcEndpointsInput mirrors ec2 DescribeVpcEndpoints.
type DescribeVpcEndpointsInput struct {
	NextToken      string   `json:"NextToken,omitempty"`
	MaxResults     *int     `json:"MaxResults,omitempty"`
	DryRun         bool     `json:"DryRun,omitempty"`
	VpcEndpointIds []string `json:"VpcEndpointIds,omitempty"`
	Filters        []Filter `json:"Filters,omitempty"`
}

// DescribeVpcEndpointsOutput mirrors ec2 DescribeVpcEndpoints' response.
type DescribeVpcEndpointsOutput struct {
	VpcEndpoints []VpcEndpoint `json:"VpcEndpoints"`
	NextToken    string        `json:"NextToken,omitempty"`
}

func endpointFilter(v *VpcEndpoint) filterValues {
	return func(name string) ([]string, bool) {
		switch name {
		case "vpc-endpoint-id":
			return []string{v.VpcEndpointId}, true
		case "vpc-id":
			return []string{v.VpcId}, true
		case "service-name":
			return []string{v.ServiceName}, true
		case "vpc-endpoint-state":
			return []string{v.State}, true
		case "vpc-endpoint-type":
			return []string{v.VpcEndpointType}, true
		case "subnet-id":
			return v.SubnetIds, true
		}
		return tagFilter(v.Tags, name)
	}
}

// DescribeVpcEndpoints lists endpoints by id and filters.
func (s *State) DescribeVpcEndpoints(env Env, in DescribeVpcEndpointsInput) (*DescribeVpcEndpointsOutput, error) {
	const op = "DescribeVpcEndpoints"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).DescribeVpcEndpoints)
	}
	if err := checkFilters(op, in.Filters, endpointFilter(&VpcEndpoint{})); err != nil {
		return nil, err
	}
	for _, id := range in.VpcEndpointIds {
		if s.Endpoint(id) == nil {
			return nil, newError(op, CodeInvalidVpcEndpointIDNotFound, "The Vpc Endpoint Id '%s' does not exist", id)
		}
	}
	out := &DescribeVpcEndpointsOutput{VpcEndpoints: []VpcEndpoint{}}
	for _, e := range s.Endpoints {
		if len(in.VpcEndpointIds) > 0 && !slices.Contains(in.VpcEndpointIds, e.Endpoint.VpcEndpointId) {
			continue
		}
		if matchFilters(in.Filters, endpointFilter(&e.Endpoint)) {
			out.VpcEndpoints = append(out.VpcEndpoints, e.Endpoint)
		}
	}
	pg, next, err := page(ec2Paging(op, in.MaxResults, in.NextToken, MaxEC2MaxResults, true), out.VpcEndpoints, func(x VpcEndpoint) string { return x.VpcEndpointId })
	if err != nil {
		return nil, err
	}
	out.VpcEndpoints, out.NextToken = pg, next
	return out, nil
}

// DeleteVpcEndpointsInput mirrors ec2 DeleteVpcEndpoints.
type DeleteVpcEndpointsInput struct {
	DryRun         bool     `json:"DryRun,omitempty"`
	VpcEndpointIds []string `json:"VpcEndpointIds"`
}

// DeleteVpcEndpointsOutput mirrors the response: per-endpoint failures.
type DeleteVpcEndpointsOutput struct {
	Unsuccessful Unsuccessful `json:"Unsuccessful"`
}

// DeleteVpcEndpoints deletes endpoints. Deviation: AWS shows a deleted
// endpoint as "deleting"/"deleted" for a while; gwlbctl removes it at once.
func (s *State) DeleteVpcEndpoints(env Env, in DeleteVpcEndpointsInput) (*DeleteVpcEndpointsOutput, error) {
	const op = "DeleteVpcEndpoints"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).DeleteVpcEndpoints)
	}
	if len(in.VpcEndpointIds) == 0 {
		return nil, newError(op, CodeMissingParameter, "The request must contain the parameter VpcEndpointIds (--vpc-endpoint-ids)")
	}
	out := &DeleteVpcEndpointsOutput{Unsuccessful: Unsuccessful{}}
	for _, id := range in.VpcEndpointIds {
		e := s.Endpoint(id)
		if e == nil {
			out.Unsuccessful = append(out.Unsuccessful, unsuccessful(id, newError(op, CodeInvalidVpcEndpointIDNotFound, "The Vpc Endpoint Id '%s' does not exist", id)))
			continue
		}
		s.Endpoints = slices.DeleteFunc(s.Endpoints, func(x *EndpointRecord) bool { return x == e })
		// Routes through a deleted endpoint drop their traffic, as EC2's
		// do.
		s.blackholeRoutesTo(id)
	}
	return out, nil
}

// VpcEndpointConnectionsInput is the request of accept- and
// reject-vpc-endpoint-connections.
type VpcEndpointConnectionsInput struct {
	DryRun         bool     `json:"DryRun,omitempty"`
	ServiceId      string   `json:"ServiceId"`
	VpcEndpointIds []string `json:"VpcEndpointIds"`
}

// AcceptVpcEndpointConnectionsInput mirrors ec2 AcceptVpcEndpointConnections.
type AcceptVpcEndpointConnectionsInput = VpcEndpointConnectionsInput

// RejectVpcEndpointConnectionsInput mirrors ec2 RejectVpcEndpointConnections.
type RejectVpcEndpointConnectionsInput = VpcEndpointConnectionsInput

// VpcEndpointConnectionsOutput is the response of accept- and
// reject-vpc-endpoint-connections: per-endpoint failures.
type VpcEndpointConnectionsOutput struct {
	Unsuccessful Unsuccessful `json:"Unsuccessful"`
}

// AcceptVpcEndpointConnectionsOutput mirrors the response.
type AcceptVpcEndpointConnectionsOutput = VpcEndpointConnectionsOutput

// RejectVpcEndpointConnectionsOutput mirrors the response.
type RejectVpcEndpointConnectionsOutput = VpcEndpointConnectionsOutput

func (s *State) endpointTransition(env Env, op string, in VpcEndpointConnectionsInput, from []string, to string) (*VpcEndpointConnectionsOutput, error) {
	svc, err := s.endpointService(op, in.ServiceId)
	if err != nil {
		return nil, err
	}
	if svc.OwnerId != env.Account {
		// Only the service owner accepts or rejects; to others the service
		// does not exist.
		return nil, newError(op, CodeInvalidVpcEndpointServiceIDNotFound, "The Vpc Endpoint Service Id '%s' does not exist in account %s", in.ServiceId, env.Account)
	}
	if len(in.VpcEndpointIds) == 0 {
		return nil, newError(op, CodeMissingParameter, "The request must contain the parameter VpcEndpointIds (--vpc-endpoint-ids)")
	}
	out := &VpcEndpointConnectionsOutput{Unsuccessful: Unsuccessful{}}
	for _, id := range in.VpcEndpointIds {
		e := s.Endpoint(id)
		if e == nil || e.ServiceId != in.ServiceId {
			out.Unsuccessful = append(out.Unsuccessful, unsuccessful(id, newError(op, CodeInvalidVpcEndpointIDNotFound, "The Vpc Endpoint Id '%s' does not exist for service %s", id, in.ServiceId)))
			continue
		}
		if !slices.Contains(from, e.Endpoint.State) {
			out.Unsuccessful = append(out.Unsuccessful, unsuccessful(id, newError(op, CodeInvalidState,
				"Endpoint %s is %s; only %s endpoints can become %s", id, e.Endpoint.State, strings.Join(from, " or "), to)))
			continue
		}
		e.Endpoint.State = to
	}
	return out, nil
}

// AcceptVpcEndpointConnections moves pendingAcceptance endpoints to
// available. Endpoints in any other state are reported as Unsuccessful
// (InvalidState), as EC2 does.
func (s *State) AcceptVpcEndpointConnections(env Env, in AcceptVpcEndpointConnectionsInput) (*AcceptVpcEndpointConnectionsOutput, error) {
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, "AcceptVpcEndpointConnections", in, (*State).AcceptVpcEndpointConnections)
	}
	return s.endpointTransition(env, "AcceptVpcEndpointConnections", in, []string{EndpointStatePendingAcceptance}, EndpointStateAvailable)
}

// RejectVpcEndpointConnections moves pendingAcceptance or available
// endpoints to rejected.
func (s *State) RejectVpcEndpointConnections(env Env, in RejectVpcEndpointConnectionsInput) (*RejectVpcEndpointConnectionsOutput, error) {
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, "RejectVpcEndpointConnections", in, (*State).RejectVpcEndpointConnections)
	}
	return s.endpointTransition(env, "RejectVpcEndpointConnections", in, []string{EndpointStatePendingAcceptance, EndpointStateAvailable}, EndpointStateRejected)
}

// DescribeVpcEndpointConnectionsInput mirrors the ec2 action.
type DescribeVpcEndpointConnectionsInput struct {
	NextToken  string   `json:"NextToken,omitempty"`
	MaxResults *int     `json:"MaxResults,omitempty"`
	DryRun     bool     `json:"DryRun,omitempty"`
	Filters    []Filter `json:"Filters,omitempty"`
}

// DescribeVpcEndpointConnectionsOutput mirrors the response.
type DescribeVpcEndpointConnectionsOutput struct {
	VpcEndpointConnections []VpcEndpointConnection `json:"VpcEndpointConnections"`
	NextToken              string                  `json:"NextToken,omitempty"`
}

func connectionFilter(c *VpcEndpointConnection) filterValues {
	return func(name string) ([]string, bool) {
		switch name {
		case "service-id":
			return []string{c.ServiceId}, true
		case "vpc-endpoint-id":
			return []string{c.VpcEndpointId}, true
		case "vpc-endpoint-owner":
			return []string{c.VpcEndpointOwner}, true
		case "vpc-endpoint-state":
			return []string{c.VpcEndpointState}, true
		}
		return nil, false
	}
}

// Connection returns the service-side view of an endpoint.
func (s *State) Connection(e *EndpointRecord) VpcEndpointConnection {
	c := VpcEndpointConnection{
		ServiceId:               e.ServiceId,
		VpcEndpointId:           e.Endpoint.VpcEndpointId,
		VpcEndpointOwner:        e.Endpoint.OwnerId,
		VpcEndpointState:        e.Endpoint.State,
		CreationTimestamp:       e.Endpoint.CreationTimestamp,
		GatewayLoadBalancerArns: []string{},
		IpAddressType:           e.Endpoint.IpAddressType,
		VpcEndpointConnectionId: e.ConnectionId,
	}
	if svc := s.EndpointService(e.ServiceId); svc != nil {
		c.GatewayLoadBalancerArns = slices.Clone(svc.Service.GatewayLoadBalancerArns)
	}
	return c
}

// DescribeVpcEndpointConnections lists the connections to the caller's
// endpoint services (filters service-id, vpc-endpoint-id,
// vpc-endpoint-owner, vpc-endpoint-state).
func (s *State) DescribeVpcEndpointConnections(env Env, in DescribeVpcEndpointConnectionsInput) (*DescribeVpcEndpointConnectionsOutput, error) {
	const op = "DescribeVpcEndpointConnections"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).DescribeVpcEndpointConnections)
	}
	if err := checkFilters(op, in.Filters, connectionFilter(&VpcEndpointConnection{})); err != nil {
		return nil, err
	}
	out := &DescribeVpcEndpointConnectionsOutput{VpcEndpointConnections: []VpcEndpointConnection{}}
	for _, e := range s.Endpoints {
		svc := s.EndpointService(e.ServiceId)
		if svc == nil || svc.OwnerId != env.Account {
			continue
		}
		c := s.Connection(e)
		if matchFilters(in.Filters, connectionFilter(&c)) {
			out.VpcEndpointConnections = append(out.VpcEndpointConnections, c)
		}
	}
	pg, next, err := page(ec2Paging(op, in.MaxResults, in.NextToken, MaxEC2MaxResults, true), out.VpcEndpointConnections, func(x VpcEndpointConnection) string { return x.VpcEndpointId })
	if err != nil {
		return nil, err
	}
	out.VpcEndpointConnections, out.NextToken = pg, next
	return out, nil
}
