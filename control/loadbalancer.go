package control

import (
	"regexp"
	"slices"
	"strings"
)

// AWS quotas for gateway load balancers and GENEVE target groups.
const (
	MaxLoadBalancers            = 100
	MaxTargetGroups             = 100
	MaxTargetsPerTargetGroup    = 1000
	MaxTargetsPerZonePerGroup   = 300
	MaxTargetsPerLoadBalancer   = 300
	MaxListenersPerLoadBalancer = 1
)

// Load balancer attribute keys and their defaults.
const (
	AttrCrossZoneEnabled          = "load_balancing.cross_zone.enabled"
	AttrDeletionProtectionEnabled = "deletion_protection.enabled"
)

func defaultLoadBalancerAttributes() []Attribute {
	return []Attribute{
		{Key: AttrDeletionProtectionEnabled, Value: "false"},
		{Key: AttrCrossZoneEnabled, Value: "false"},
	}
}

// SubnetMapping names a subnet for a load balancer (--subnet-mappings).
type SubnetMapping struct {
	SubnetId string `json:"SubnetId"`
}

// CreateLoadBalancerInput mirrors elbv2 CreateLoadBalancer.
type CreateLoadBalancerInput struct {
	Name           string          `json:"Name"`
	Subnets        []string        `json:"Subnets,omitempty"`
	SubnetMappings []SubnetMapping `json:"SubnetMappings,omitempty"`
	SecurityGroups []string        `json:"SecurityGroups,omitempty"`
	Scheme         string          `json:"Scheme,omitempty"`
	Tags           []Tag           `json:"Tags,omitempty"`
	// Type must be "gateway". Deviation: AWS defaults to "application";
	// gwlbctl only has gateway load balancers, so "" means gateway.
	Type          string `json:"Type,omitempty"`
	IpAddressType string `json:"IpAddressType,omitempty"`
}

// CreateLoadBalancerOutput mirrors elbv2 CreateLoadBalancer's response.
type CreateLoadBalancerOutput struct {
	LoadBalancers []LoadBalancer `json:"LoadBalancers"`
}

// hostedZones are the canonical hosted zone ids AWS publishes for its
// network/gateway load balancers in a few regions; elsewhere the field is
// left out.
var hostedZones = map[string]string{
	"us-east-1": "Z26RNL4JYFTOTI",
	"us-east-2": "ZLMOA37VPKANP",
	"us-west-1": "Z24FKFUX50B4VW",
	"us-west-2": "Z18D5FSROUN65G",
}

// CreateLoadBalancer creates a gateway load balancer. The same request for
// an existing name with the same subnets returns that load balancer.
func (s *State) CreateLoadBalancer(env Env, in CreateLoadBalancerInput) (*CreateLoadBalancerOutput, error) {
	const op = "CreateLoadBalancer"
	if err := validateName(op, "Load balancer", in.Name); err != nil {
		return nil, err
	}
	if strings.HasPrefix(strings.ToLower(in.Name), "internal-") {
		return nil, newError(op, CodeValidationError, "Load balancer name '%s' cannot begin with 'internal-'", in.Name)
	}
	if in.Type != "" && !slices.Contains(LoadBalancerTypes, in.Type) {
		return nil, newError(op, CodeValidationError, "load balancer type '%s' is not supported: gwlbctl provides gateway load balancers only (--type gateway)", in.Type)
	}
	if len(in.SecurityGroups) > 0 {
		return nil, newError(op, CodeInvalidConfigurationRequest, "Security groups are not supported for load balancers with type 'gateway'")
	}
	if in.Scheme != "" {
		return nil, newError(op, CodeInvalidConfigurationRequest, "A scheme cannot be specified for load balancers with type 'gateway'")
	}
	ipType := in.IpAddressType
	if ipType == "" {
		ipType = "ipv4"
	}
	// Deviation: AWS requires IPv6 CIDRs on the VPC and subnets for
	// dualstack; gwlbctl models no IPv6 CIDRs and accepts it as given.
	if !slices.Contains(LoadBalancerIPAddressTypes, ipType) {
		return nil, newError(op, CodeValidationError, "IP address type '%s' is not valid: use ipv4 or dualstack", in.IpAddressType)
	}
	if err := validateTags(op, in.Tags, CodeDuplicateTagKeys); err != nil {
		return nil, err
	}
	if len(in.Tags) > MaxTagsPerResource {
		return nil, newError(op, CodeTooManyTags, "at most %d tags per load balancer", MaxTagsPerResource)
	}
	subnetIDs := slices.Clone(in.Subnets)
	for _, m := range in.SubnetMappings {
		subnetIDs = append(subnetIDs, m.SubnetId)
	}
	if len(in.Subnets) > 0 && len(in.SubnetMappings) > 0 {
		return nil, newError(op, CodeValidationError, "give either --subnets or --subnet-mappings, not both")
	}
	zones, vpcID, err := s.resolveLoadBalancerSubnets(op, subnetIDs)
	if err != nil {
		return nil, err
	}
	if old := s.LoadBalancerByName(in.Name); old != nil {
		lb := old.LoadBalancer
		if sameSet(subnetsOf(&lb), subnetIDs) && lb.IpAddressType == ipType {
			return &CreateLoadBalancerOutput{LoadBalancers: []LoadBalancer{lb}}, nil
		}
		return nil, newError(op, CodeDuplicateLoadBalancerName, "A load balancer with the same name '%s' exists, but with different settings", in.Name)
	}
	if len(s.LoadBalancers) >= MaxLoadBalancers {
		return nil, newError(op, CodeTooManyLoadBalancers, "You've reached the limit on the number of load balancers for your account (%d)", MaxLoadBalancers)
	}
	id := env.hexID(16)
	// *Unconfirmed* whether AWS prints a DNSName for gateway load balancers;
	// gwlbctl prints one in the network load balancer's form, and leaves
	// Scheme out (gateway load balancers take none).
	lb := LoadBalancer{
		LoadBalancerArn:       env.arnPrefix("elasticloadbalancing") + "loadbalancer/gwy/" + in.Name + "/" + id,
		DNSName:               in.Name + "-" + id + ".elb." + env.Region + ".amazonaws.com",
		CanonicalHostedZoneId: hostedZones[env.Region],
		CreatedTime:           NewTimestamp(env.now()),
		LoadBalancerName:      in.Name,
		VpcId:                 vpcID,
		// Deviation: AWS reports "provisioning" for a while; gwlbctl has
		// nothing to provision, so a new load balancer is active at once.
		State:             LoadBalancerState{Code: LoadBalancerStateActive},
		Type:              "gateway",
		AvailabilityZones: zones,
		IpAddressType:     ipType,
	}
	s.LoadBalancers = append(s.LoadBalancers, &LoadBalancerRecord{
		LoadBalancer: lb,
		Attributes:   defaultLoadBalancerAttributes(),
		Tags:         slices.Clone(in.Tags),
	})
	return &CreateLoadBalancerOutput{LoadBalancers: []LoadBalancer{lb}}, nil
}

func subnetsOf(lb *LoadBalancer) []string {
	out := make([]string, 0, len(lb.AvailabilityZones))
	for _, z := range lb.AvailabilityZones {
		out = append(out, z.SubnetId)
	}
	return out
}

// resolveLoadBalancerSubnets checks that the subnets exist, share one VPC and
// hold at most one subnet per zone.
func (s *State) resolveLoadBalancerSubnets(op string, ids []string) ([]AvailabilityZone, string, error) {
	if len(ids) == 0 {
		return nil, "", newError(op, CodeValidationError, "At least one subnet must be specified (--subnets subnet-...)")
	}
	var zones []AvailabilityZone
	vpcID := ""
	seen := map[string]string{}
	for _, id := range ids {
		sn := s.Subnet(id)
		if sn == nil {
			return nil, "", newError(op, CodeSubnetNotFound, "The subnet ID '%s' is not valid (create it with 'ec2 create-subnet' or list them with 'ec2 describe-subnets')", id)
		}
		if vpcID == "" {
			vpcID = sn.VpcId
		} else if sn.VpcId != vpcID {
			return nil, "", newError(op, CodeInvalidConfigurationRequest, "Subnets '%s' and '%s' are in different VPCs; a load balancer's subnets must all be in one VPC", ids[0], id)
		}
		if other, dup := seen[sn.AvailabilityZone]; dup {
			if other == id {
				return nil, "", newError(op, CodeInvalidConfigurationRequest, "Subnet '%s' is given more than once", id)
			}
			return nil, "", newError(op, CodeInvalidConfigurationRequest, "A load balancer cannot be attached to multiple subnets in the same Availability Zone (%s: %s and %s)", sn.AvailabilityZone, other, id)
		}
		seen[sn.AvailabilityZone] = id
		zones = append(zones, AvailabilityZone{ZoneName: sn.AvailabilityZone, SubnetId: id})
	}
	return zones, vpcID, nil
}

// DescribeLoadBalancersInput mirrors elbv2 DescribeLoadBalancers.
type DescribeLoadBalancersInput struct {
	Marker           string   `json:"Marker,omitempty"`
	PageSize         *int     `json:"PageSize,omitempty"`
	LoadBalancerArns []string `json:"LoadBalancerArns,omitempty"`
	Names            []string `json:"Names,omitempty"`
}

// DescribeLoadBalancersOutput mirrors elbv2 DescribeLoadBalancers' response.
type DescribeLoadBalancersOutput struct {
	LoadBalancers []LoadBalancer `json:"LoadBalancers"`
	NextMarker    string         `json:"NextMarker,omitempty"`
}

// DescribeLoadBalancers lists load balancers, all or those named.
func (s *State) DescribeLoadBalancers(env Env, in DescribeLoadBalancersInput) (*DescribeLoadBalancersOutput, error) {
	const op = "DescribeLoadBalancers"
	if len(in.LoadBalancerArns) > 0 && len(in.Names) > 0 {
		return nil, newError(op, CodeValidationError, "Load balancer names and load balancer ARNs cannot be specified at the same time")
	}
	out := &DescribeLoadBalancersOutput{LoadBalancers: []LoadBalancer{}}
	switch {
	case len(in.LoadBalancerArns) > 0:
		for _, arn := range in.LoadBalancerArns {
			if err := checkArn(op, arn, "loadbalancer"); err != nil {
				return nil, err
			}
			r := s.LoadBalancerByArn(arn)
			if r == nil {
				return nil, newError(op, CodeLoadBalancerNotFound, "One or more load balancers not found ('%s')", arn)
			}
			out.LoadBalancers = append(out.LoadBalancers, r.LoadBalancer)
		}
	case len(in.Names) > 0:
		for _, name := range in.Names {
			r := s.LoadBalancerByName(name)
			if r == nil {
				return nil, newError(op, CodeLoadBalancerNotFound, "One or more load balancers not found ('%s')", name)
			}
			out.LoadBalancers = append(out.LoadBalancers, r.LoadBalancer)
		}
	default:
		for _, r := range s.LoadBalancers {
			out.LoadBalancers = append(out.LoadBalancers, r.LoadBalancer)
		}
	}
	pg, next, err := page(elbPaging(op, in.PageSize, in.Marker), out.LoadBalancers, func(x LoadBalancer) string { return x.LoadBalancerArn })
	if err != nil {
		return nil, err
	}
	out.LoadBalancers, out.NextMarker = pg, next
	return out, nil
}

var arnRe = regexp.MustCompile(`^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:[0-9]{12}:(loadbalancer|targetgroup|listener)/.+$`)

// checkArn rejects a string that is not an ELBv2 ARN of the given kind.
func checkArn(op, arn, kind string) error {
	m := arnRe.FindStringSubmatch(arn)
	if m == nil || m[1] != kind {
		return newError(op, CodeValidationError, "'%s' is not a valid %s ARN", arn, strings.ReplaceAll(kind, "group", " group"))
	}
	return nil
}

// DeleteLoadBalancerInput mirrors elbv2 DeleteLoadBalancer.
type DeleteLoadBalancerInput struct {
	LoadBalancerArn string `json:"LoadBalancerArn"`
}

// DeleteLoadBalancerOutput is empty, as AWS's.
type DeleteLoadBalancerOutput struct{}

// DeleteLoadBalancer deletes a load balancer and its listener. Deleting a
// load balancer that does not exist succeeds, as on AWS.
func (s *State) DeleteLoadBalancer(env Env, in DeleteLoadBalancerInput) (*DeleteLoadBalancerOutput, error) {
	const op = "DeleteLoadBalancer"
	if err := checkArn(op, in.LoadBalancerArn, "loadbalancer"); err != nil {
		return nil, err
	}
	r := s.LoadBalancerByArn(in.LoadBalancerArn)
	if r == nil {
		return &DeleteLoadBalancerOutput{}, nil
	}
	if r.Attribute(AttrDeletionProtectionEnabled) == "true" {
		return nil, newError(op, CodeOperationNotPermitted, "Load balancer '%s' cannot be deleted because deletion protection is enabled (set %s=false with modify-load-balancer-attributes first)", in.LoadBalancerArn, AttrDeletionProtectionEnabled)
	}
	if svc := s.EndpointServiceOf(in.LoadBalancerArn); svc != nil {
		return nil, newError(op, CodeResourceInUse, "Load balancer '%s' cannot be deleted because it is currently associated with VPC endpoint service '%s' (delete or modify the service first)", in.LoadBalancerArn, svc.Service.ServiceId)
	}
	s.Listeners = slices.DeleteFunc(s.Listeners, func(l *ListenerRecord) bool { return l.Listener.LoadBalancerArn == in.LoadBalancerArn })
	for _, tg := range s.TargetGroups {
		tg.TargetGroup.LoadBalancerArns = slices.DeleteFunc(tg.TargetGroup.LoadBalancerArns, func(a string) bool { return a == in.LoadBalancerArn })
	}
	s.LoadBalancers = slices.DeleteFunc(s.LoadBalancers, func(l *LoadBalancerRecord) bool { return l == r })
	return &DeleteLoadBalancerOutput{}, nil
}

// DescribeLoadBalancerAttributesInput mirrors elbv2 DescribeLoadBalancerAttributes.
type DescribeLoadBalancerAttributesInput struct {
	LoadBalancerArn string `json:"LoadBalancerArn"`
}

// LoadBalancerAttributesOutput is the response of describe- and
// modify-load-balancer-attributes.
type LoadBalancerAttributesOutput struct {
	Attributes []Attribute `json:"Attributes"`
}

func (s *State) loadBalancer(op, arn string) (*LoadBalancerRecord, error) {
	if err := checkArn(op, arn, "loadbalancer"); err != nil {
		return nil, err
	}
	r := s.LoadBalancerByArn(arn)
	if r == nil {
		return nil, newError(op, CodeLoadBalancerNotFound, "Load balancer '%s' not found (list them with 'elbv2 describe-load-balancers')", arn)
	}
	return r, nil
}

// DescribeLoadBalancerAttributes lists a load balancer's attributes.
func (s *State) DescribeLoadBalancerAttributes(env Env, in DescribeLoadBalancerAttributesInput) (*LoadBalancerAttributesOutput, error) {
	r, err := s.loadBalancer("DescribeLoadBalancerAttributes", in.LoadBalancerArn)
	if err != nil {
		return nil, err
	}
	return &LoadBalancerAttributesOutput{Attributes: slices.Clone(r.Attributes)}, nil
}

// ModifyLoadBalancerAttributesInput mirrors elbv2 ModifyLoadBalancerAttributes.
type ModifyLoadBalancerAttributesInput struct {
	LoadBalancerArn string      `json:"LoadBalancerArn"`
	Attributes      []Attribute `json:"Attributes"`
}

// ModifyLoadBalancerAttributes sets attributes and returns all of them.
func (s *State) ModifyLoadBalancerAttributes(env Env, in ModifyLoadBalancerAttributesInput) (*LoadBalancerAttributesOutput, error) {
	const op = "ModifyLoadBalancerAttributes"
	r, err := s.loadBalancer(op, in.LoadBalancerArn)
	if err != nil {
		return nil, err
	}
	if len(in.Attributes) == 0 {
		return nil, newError(op, CodeValidationError, "At least one attribute must be specified (--attributes Key=...,Value=...)")
	}
	for _, a := range in.Attributes {
		switch a.Key {
		case AttrCrossZoneEnabled, AttrDeletionProtectionEnabled:
			if a.Value != "true" && a.Value != "false" {
				return nil, newError(op, CodeValidationError, "Load balancer attribute '%s' must be 'true' or 'false', not '%s'", a.Key, a.Value)
			}
		default:
			return nil, newError(op, CodeValidationError, "Load balancer attribute key '%s' is not recognized; gateway load balancers have %s and %s", a.Key, AttrCrossZoneEnabled, AttrDeletionProtectionEnabled)
		}
	}
	r.Attributes = setAttributes(r.Attributes, in.Attributes)
	return &LoadBalancerAttributesOutput{Attributes: slices.Clone(r.Attributes)}, nil
}

// setAttributes returns attrs with set applied, keeping the order of attrs.
func setAttributes(attrs, set []Attribute) []Attribute {
	out := slices.Clone(attrs)
	for _, a := range set {
		i := slices.IndexFunc(out, func(x Attribute) bool { return x.Key == a.Key })
		if i >= 0 {
			out[i].Value = a.Value
		} else {
			out = append(out, a)
		}
	}
	return out
}

// DefaultLoadBalancerAttributes returns a new load balancer's attributes.
func DefaultLoadBalancerAttributes() []Attribute { return defaultLoadBalancerAttributes() }
