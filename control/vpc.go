package control

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// ec2ID returns prefix + 17 hex digits. The first digit is 0, as in AWS's
// own ids, so that the number fits 64 bits (the endpoint id travels in a
// 64-bit Geneve option).
func (e Env) ec2ID(prefix string) string { return prefix + "0" + e.hexID(16) }

// parseCIDR parses an IPv4 CIDR that must be in canonical form.
func parseCIDR(op, param, cidr string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(cidr)
	if err != nil || !p.Addr().Is4() {
		return p, newError(op, CodeInvalidParameterValue, "Value (%s) for parameter %s is invalid. This is not a valid CIDR block.", cidr, param)
	}
	// *Unconfirmed* whether EC2 accepts a CIDR with host bits set; gwlbctl
	// refuses it and names the network meant.
	if p.Masked() != p {
		return p, newError(op, CodeInvalidParameterValue, "Value (%s) for parameter %s is invalid. The address has host bits set; did you mean %s?", cidr, param, p.Masked())
	}
	return p, nil
}

// CreateVpcInput mirrors ec2 CreateVpc.
type CreateVpcInput struct {
	DryRun            bool               `json:"DryRun,omitempty"`
	CidrBlock         string             `json:"CidrBlock"`
	InstanceTenancy   string             `json:"InstanceTenancy,omitempty"`
	TagSpecifications []TagSpecification `json:"TagSpecifications,omitempty"`
}

// CreateVpcOutput mirrors ec2 CreateVpc's response.
type CreateVpcOutput struct {
	Vpc Vpc `json:"Vpc"`
}

// CreateVpc creates a VPC with an IPv4 CIDR of /16 to /28. As on AWS, VPCs
// are not unique by CIDR: every call creates one.
func (s *State) CreateVpc(env Env, in CreateVpcInput) (*CreateVpcOutput, error) {
	const op = "CreateVpc"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).CreateVpc)
	}
	if in.CidrBlock == "" {
		return nil, newError(op, CodeMissingParameter, "The request must contain the parameter cidrBlock (--cidr-block 10.0.0.0/16)")
	}
	p, err := parseCIDR(op, "cidrBlock", in.CidrBlock)
	if err != nil {
		return nil, err
	}
	if p.Bits() < 16 || p.Bits() > 28 {
		return nil, newError(op, CodeInvalidVpcRange, "The CIDR '%s' is invalid: a VPC CIDR must be between /16 and /28", in.CidrBlock)
	}
	tenancy := in.InstanceTenancy
	if tenancy == "" {
		tenancy = "default"
	}
	if !slices.Contains(InstanceTenancies, tenancy) {
		return nil, newError(op, CodeInvalidParameterValue, "Value (%s) for parameter instanceTenancy is invalid: use default or dedicated", in.InstanceTenancy)
	}
	tags, err := tagsFor(op, in.TagSpecifications, "vpc")
	if err != nil {
		return nil, err
	}
	v := &Vpc{
		CidrBlock:       p.String(),
		DhcpOptionsId:   "dopt-" + "0" + env.hexID(16),
		State:           "available", // Deviation: AWS answers "pending" first.
		VpcId:           env.ec2ID("vpc-"),
		OwnerId:         env.Account,
		InstanceTenancy: tenancy,
		CidrBlockAssociationSet: []VpcCidrBlockAssociation{{
			AssociationId:  env.ec2ID("vpc-cidr-assoc-"),
			CidrBlock:      p.String(),
			CidrBlockState: CidrBlockState{State: "associated"},
		}},
		Tags: tags,
	}
	s.storeLegacyMainTables()
	s.Vpcs = append(s.Vpcs, v)
	// Every VPC has a main route table, created with it, holding the
	// local route; subnets without an association of their own use it.
	main := newRouteTable(env, v, nil)
	main.Associations = []RouteTableAssociation{{
		Main: true, RouteTableAssociationId: env.ec2ID(associationPrefix), RouteTableId: main.RouteTableId,
		AssociationState: RouteTableAssociationState{State: AssociationStateAssociated},
	}}
	s.RouteTables = append(s.RouteTables, main)
	return &CreateVpcOutput{Vpc: *v}, nil
}

// DescribeVpcsInput mirrors ec2 DescribeVpcs.
type DescribeVpcsInput struct {
	NextToken  string   `json:"NextToken,omitempty"`
	MaxResults *int     `json:"MaxResults,omitempty"`
	DryRun     bool     `json:"DryRun,omitempty"`
	VpcIds     []string `json:"VpcIds,omitempty"`
	Filters    []Filter `json:"Filters,omitempty"`
}

// DescribeVpcsOutput mirrors ec2 DescribeVpcs' response.
type DescribeVpcsOutput struct {
	Vpcs      []Vpc  `json:"Vpcs"`
	NextToken string `json:"NextToken,omitempty"`
}

func vpcFilter(v *Vpc) filterValues {
	return func(name string) ([]string, bool) {
		switch name {
		case "vpc-id":
			return []string{v.VpcId}, true
		case "cidr", "cidr-block", "cidr-block-association.cidr-block":
			return []string{v.CidrBlock}, true
		case "state":
			return []string{v.State}, true
		case "owner-id":
			return []string{v.OwnerId}, true
		case "is-default":
			return []string{boolString(v.IsDefault)}, true
		}
		return tagFilter(v.Tags, name)
	}
}

// DescribeVpcs lists VPCs by id and filters.
func (s *State) DescribeVpcs(env Env, in DescribeVpcsInput) (*DescribeVpcsOutput, error) {
	const op = "DescribeVpcs"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).DescribeVpcs)
	}
	if err := checkFilters(op, in.Filters, vpcFilter(&Vpc{})); err != nil {
		return nil, err
	}
	for _, id := range in.VpcIds {
		if s.Vpc(id) == nil {
			return nil, newError(op, CodeInvalidVpcIDNotFound, "The vpc ID '%s' does not exist", id)
		}
	}
	out := &DescribeVpcsOutput{Vpcs: []Vpc{}}
	for _, v := range s.Vpcs {
		if len(in.VpcIds) > 0 && !slices.Contains(in.VpcIds, v.VpcId) {
			continue
		}
		if matchFilters(in.Filters, vpcFilter(v)) {
			out.Vpcs = append(out.Vpcs, *v)
		}
	}
	pg, next, err := page(ec2Paging(op, in.MaxResults, in.NextToken, MaxEC2MaxResults, false), out.Vpcs, func(x Vpc) string { return x.VpcId })
	if err != nil {
		return nil, err
	}
	out.Vpcs, out.NextToken = pg, next
	return out, nil
}

// DeleteVpcInput mirrors ec2 DeleteVpc.
type DeleteVpcInput struct {
	DryRun bool   `json:"DryRun,omitempty"`
	VpcId  string `json:"VpcId"`
}

// DeleteVpcOutput is empty, as AWS's.
type DeleteVpcOutput struct{}

// DeleteVpc deletes a VPC that has no subnets, target groups or endpoints.
func (s *State) DeleteVpc(env Env, in DeleteVpcInput) (*DeleteVpcOutput, error) {
	const op = "DeleteVpc"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).DeleteVpc)
	}
	v := s.Vpc(in.VpcId)
	if v == nil {
		return nil, newError(op, CodeInvalidVpcIDNotFound, "The vpc ID '%s' does not exist", in.VpcId)
	}
	var deps []string
	for _, sn := range s.Subnets {
		if sn.VpcId == in.VpcId {
			deps = append(deps, sn.SubnetId)
		}
	}
	for _, tg := range s.TargetGroups {
		if tg.TargetGroup.VpcId == in.VpcId {
			deps = append(deps, tg.TargetGroup.TargetGroupName)
		}
	}
	for _, e := range s.Endpoints {
		if e.Endpoint.VpcId == in.VpcId {
			deps = append(deps, e.Endpoint.VpcEndpointId)
		}
	}
	for _, rt := range s.RouteTables {
		if rt.VpcId == in.VpcId && !isMain(rt) {
			deps = append(deps, rt.RouteTableId)
		}
	}
	for _, g := range s.InternetGateways {
		if g.attachedTo(in.VpcId) {
			deps = append(deps, g.InternetGatewayId)
		}
	}
	if len(deps) > 0 {
		return nil, newError(op, CodeDependencyViolation, "The vpc '%s' has dependencies and cannot be deleted (%s)", in.VpcId, strings.Join(deps, ", "))
	}
	// The main route table goes with its VPC.
	s.RouteTables = slices.DeleteFunc(s.RouteTables, func(rt *RouteTable) bool { return rt.VpcId == in.VpcId })
	s.Vpcs = slices.DeleteFunc(s.Vpcs, func(x *Vpc) bool { return x == v })
	return &DeleteVpcOutput{}, nil
}

// CreateSubnetInput mirrors ec2 CreateSubnet.
type CreateSubnetInput struct {
	DryRun             bool               `json:"DryRun,omitempty"`
	VpcId              string             `json:"VpcId"`
	CidrBlock          string             `json:"CidrBlock"`
	AvailabilityZone   string             `json:"AvailabilityZone,omitempty"`
	AvailabilityZoneId string             `json:"AvailabilityZoneId,omitempty"`
	TagSpecifications  []TagSpecification `json:"TagSpecifications,omitempty"`
}

// CreateSubnetOutput mirrors ec2 CreateSubnet's response.
type CreateSubnetOutput struct {
	Subnet Subnet `json:"Subnet"`
}

func zoneList(region string) string {
	var zs []string
	for c := 'a'; c <= 'f'; c++ {
		zs = append(zs, region+string(c))
	}
	return strings.Join(zs, ", ")
}

// CreateSubnet creates a subnet in a VPC: a /16-/28 inside the VPC's CIDR,
// overlapping no other subnet of the VPC, in one zone of the region
// (default <region>a).
func (s *State) CreateSubnet(env Env, in CreateSubnetInput) (*CreateSubnetOutput, error) {
	const op = "CreateSubnet"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).CreateSubnet)
	}
	if in.VpcId == "" {
		return nil, newError(op, CodeMissingParameter, "The request must contain the parameter vpcId (--vpc-id)")
	}
	if in.CidrBlock == "" {
		return nil, newError(op, CodeMissingParameter, "The request must contain the parameter cidrBlock (--cidr-block)")
	}
	v := s.Vpc(in.VpcId)
	if v == nil {
		return nil, newError(op, CodeInvalidVpcIDNotFound, "The vpc ID '%s' does not exist", in.VpcId)
	}
	p, err := parseCIDR(op, "cidrBlock", in.CidrBlock)
	if err != nil {
		return nil, err
	}
	vp, err := netip.ParsePrefix(v.CidrBlock)
	if err != nil {
		return nil, newError(op, CodeInvalidVpcRange, "The VPC %s has an unreadable CIDR %q in the state file", v.VpcId, v.CidrBlock)
	}
	if p.Bits() < 16 || p.Bits() > 28 || !vp.Contains(p.Addr()) || p.Bits() < vp.Bits() {
		return nil, newError(op, CodeInvalidSubnetRange, "The CIDR '%s' is invalid: a subnet must be a /16 to /28 inside the VPC's %s", in.CidrBlock, v.CidrBlock)
	}
	for _, sn := range s.Subnets {
		sp, err := netip.ParsePrefix(sn.CidrBlock)
		if sn.VpcId == in.VpcId && (err != nil || sp.Overlaps(p)) {
			return nil, newError(op, CodeInvalidSubnetConflict, "The CIDR '%s' conflicts with another subnet (%s, %s)", in.CidrBlock, sn.SubnetId, sn.CidrBlock)
		}
	}
	zone := in.AvailabilityZone
	if zone == "" && in.AvailabilityZoneId != "" {
		for c := 'a'; c <= 'f'; c++ {
			if zoneID(env.Region+string(c)) == in.AvailabilityZoneId {
				zone = env.Region + string(c)
			}
		}
		if zone == "" {
			return nil, newError(op, CodeInvalidParameterValue, "Value (%s) for parameter availabilityZoneId is invalid", in.AvailabilityZoneId)
		}
	}
	if zone == "" {
		zone = env.Region + "a"
	}
	if !validZone(env.Region, zone) {
		return nil, newError(op, CodeInvalidParameterValue, "Value (%s) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: %s.", zone, zoneList(env.Region))
	}
	tags, err := tagsFor(op, in.TagSpecifications, "subnet")
	if err != nil {
		return nil, err
	}
	id := env.ec2ID("subnet-")
	sn := &Subnet{
		AvailabilityZone:        zone,
		AvailabilityZoneId:      zoneID(zone),
		AvailableIpAddressCount: 1<<(32-p.Bits()) - 5, // AWS reserves 5 addresses per subnet
		CidrBlock:               p.String(),
		State:                   "available",
		SubnetId:                id,
		VpcId:                   in.VpcId,
		OwnerId:                 env.Account,
		SubnetArn:               fmt.Sprintf("arn:aws:ec2:%s:%s:subnet/%s", env.Region, env.Account, id),
		Tags:                    tags,
	}
	s.Subnets = append(s.Subnets, sn)
	return &CreateSubnetOutput{Subnet: *sn}, nil
}

// DescribeSubnetsInput mirrors ec2 DescribeSubnets.
type DescribeSubnetsInput struct {
	NextToken  string   `json:"NextToken,omitempty"`
	MaxResults *int     `json:"MaxResults,omitempty"`
	DryRun     bool     `json:"DryRun,omitempty"`
	SubnetIds  []string `json:"SubnetIds,omitempty"`
	Filters    []Filter `json:"Filters,omitempty"`
}

// DescribeSubnetsOutput mirrors ec2 DescribeSubnets' response.
type DescribeSubnetsOutput struct {
	Subnets   []Subnet `json:"Subnets"`
	NextToken string   `json:"NextToken,omitempty"`
}

func subnetFilter(v *Subnet) filterValues {
	return func(name string) ([]string, bool) {
		switch name {
		case "subnet-id":
			return []string{v.SubnetId}, true
		case "vpc-id":
			return []string{v.VpcId}, true
		case "cidr", "cidr-block", "cidrBlock":
			return []string{v.CidrBlock}, true
		case "availability-zone", "availabilityZone":
			return []string{v.AvailabilityZone}, true
		case "availability-zone-id":
			return []string{v.AvailabilityZoneId}, true
		case "state":
			return []string{v.State}, true
		case "owner-id":
			return []string{v.OwnerId}, true
		case "subnet-arn":
			return []string{v.SubnetArn}, true
		}
		return tagFilter(v.Tags, name)
	}
}

// DescribeSubnets lists subnets by id and filters.
func (s *State) DescribeSubnets(env Env, in DescribeSubnetsInput) (*DescribeSubnetsOutput, error) {
	const op = "DescribeSubnets"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).DescribeSubnets)
	}
	if err := checkFilters(op, in.Filters, subnetFilter(&Subnet{})); err != nil {
		return nil, err
	}
	for _, id := range in.SubnetIds {
		if s.Subnet(id) == nil {
			return nil, newError(op, CodeInvalidSubnetIDNotFound, "The subnet ID '%s' does not exist", id)
		}
	}
	out := &DescribeSubnetsOutput{Subnets: []Subnet{}}
	for _, v := range s.Subnets {
		if len(in.SubnetIds) > 0 && !slices.Contains(in.SubnetIds, v.SubnetId) {
			continue
		}
		if matchFilters(in.Filters, subnetFilter(v)) {
			out.Subnets = append(out.Subnets, *v)
		}
	}
	pg, next, err := page(ec2Paging(op, in.MaxResults, in.NextToken, MaxEC2MaxResults, false), out.Subnets, func(x Subnet) string { return x.SubnetId })
	if err != nil {
		return nil, err
	}
	out.Subnets, out.NextToken = pg, next
	return out, nil
}

// DeleteSubnetInput mirrors ec2 DeleteSubnet.
type DeleteSubnetInput struct {
	DryRun   bool   `json:"DryRun,omitempty"`
	SubnetId string `json:"SubnetId"`
}

// DeleteSubnetOutput is empty, as AWS's.
type DeleteSubnetOutput struct{}

// DeleteSubnet deletes a subnet no load balancer or endpoint uses.
func (s *State) DeleteSubnet(env Env, in DeleteSubnetInput) (*DeleteSubnetOutput, error) {
	const op = "DeleteSubnet"
	if in.DryRun {
		in.DryRun = false
		return nil, dryRun(s, env, op, in, (*State).DeleteSubnet)
	}
	sn := s.Subnet(in.SubnetId)
	if sn == nil {
		return nil, newError(op, CodeInvalidSubnetIDNotFound, "The subnet ID '%s' does not exist", in.SubnetId)
	}
	var deps []string
	for _, lb := range s.LoadBalancers {
		if slices.Contains(subnetsOf(&lb.LoadBalancer), in.SubnetId) {
			deps = append(deps, lb.LoadBalancer.LoadBalancerName)
		}
	}
	for _, e := range s.Endpoints {
		if slices.Contains(e.Endpoint.SubnetIds, in.SubnetId) {
			deps = append(deps, e.Endpoint.VpcEndpointId)
		}
	}
	if len(deps) > 0 {
		return nil, newError(op, CodeDependencyViolation, "The subnet '%s' has dependencies and cannot be deleted (%s)", in.SubnetId, strings.Join(deps, ", "))
	}
	s.dropSubnetAssociations(in.SubnetId)
	s.Subnets = slices.DeleteFunc(s.Subnets, func(x *Subnet) bool { return x == sn })
	return &DeleteSubnetOutput{}, nil
}
