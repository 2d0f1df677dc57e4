package control

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// State is the whole control-plane state: every resource with the fields
// AWS prints for it plus what gwlbctl needs internally (attributes, tags,
// registered targets and their health). control/store persists it.
type State struct {
	Vpcs             []*Vpc                   `json:"vpcs"`
	Subnets          []*Subnet                `json:"subnets"`
	LoadBalancers    []*LoadBalancerRecord    `json:"loadBalancers"`
	TargetGroups     []*TargetGroupRecord     `json:"targetGroups"`
	Listeners        []*ListenerRecord        `json:"listeners"`
	EndpointServices []*EndpointServiceRecord `json:"endpointServices"`
	Endpoints        []*EndpointRecord        `json:"endpoints"`
	// RouteTables and InternetGateways came after schema version 1's
	// first files: a file without them loads (a VPC without a stored main
	// route table gets the legacy one, see MainRouteTable), and they are
	// left out while empty so such a file is written back unchanged.
	RouteTables      []*RouteTable      `json:"routeTables,omitempty"`
	InternetGateways []*InternetGateway `json:"internetGateways,omitempty"`
	// ClientTokens are the creates made with a client token (see
	// ClientTokenRecord); left out while empty.
	ClientTokens []*ClientTokenRecord `json:"clientTokens,omitempty"`
}

// LoadBalancerRecord is a load balancer with its attributes and tags.
type LoadBalancerRecord struct {
	LoadBalancer LoadBalancer `json:"loadBalancer"`
	Attributes   []Attribute  `json:"attributes"`
	Tags         []Tag        `json:"tags,omitempty"`
}

// TargetGroupRecord is a target group with its attributes, tags and
// registered targets.
type TargetGroupRecord struct {
	TargetGroup TargetGroup         `json:"targetGroup"`
	Attributes  []Attribute         `json:"attributes"`
	Tags        []Tag               `json:"tags,omitempty"`
	Targets     []*RegisteredTarget `json:"targets,omitempty"`
}

// RegisteredTarget is a target registered with a target group.
type RegisteredTarget struct {
	Target TargetDescription `json:"target"`
	// RegisteredAt is when the target was (last) registered.
	RegisteredAt Timestamp `json:"registeredAt"`
	// DrainUntil is set when the target is deregistered: it is draining until
	// then and gone afterwards (deregistration_delay.timeout_seconds).
	DrainUntil *Timestamp `json:"drainUntil,omitempty"`
	// HealthViews are the results of health checking, one per node that
	// checks the target (SetTargetHealth); RecordedHealth combines them.
	// None means "not checked yet": describe-target-health then reports
	// initial / Elb.RegistrationInProgress.
	HealthViews []HealthView `json:"healthViews,omitempty"`
}

// Draining reports whether the target is deregistered but still draining at now.
func (t *RegisteredTarget) Draining(now time.Time) bool {
	return t.DrainUntil != nil && now.Before(t.DrainUntil.Time)
}

// Gone reports whether the target's deregistration delay is over at now.
func (t *RegisteredTarget) Gone(now time.Time) bool {
	return t.DrainUntil != nil && !now.Before(t.DrainUntil.Time)
}

// ListenerRecord is a listener with its attributes and tags.
type ListenerRecord struct {
	Listener   Listener    `json:"listener"`
	Attributes []Attribute `json:"attributes"`
	Tags       []Tag       `json:"tags,omitempty"`
}

// EndpointServiceRecord is a VPC endpoint service with its owner and its
// allowed principals.
type EndpointServiceRecord struct {
	Service           ServiceConfiguration `json:"service"`
	OwnerId           string               `json:"ownerId"`
	AllowedPrincipals []AllowedPrincipal   `json:"allowedPrincipals,omitempty"`
	ClientToken       string               `json:"clientToken,omitempty"`
}

// EndpointRecord is a Gateway Load Balancer endpoint with the service side
// of its connection.
type EndpointRecord struct {
	Endpoint         VpcEndpoint `json:"endpoint"`
	ServiceId        string      `json:"serviceId"`
	AvailabilityZone string      `json:"availabilityZone"`
	ConnectionId     string      `json:"connectionId"`
	// AttachmentId is the 64-bit attachment id the fast path carries in the
	// Geneve option of type 2.
	AttachmentId uint64 `json:"attachmentId"`
	ClientToken  string `json:"clientToken,omitempty"`
}

// Check reports structural damage a hand-edited or foreign state file can
// carry and the operations do not expect: null records and records without
// their identifier. control/store refuses such a file as corrupted.
func (s *State) Check() error {
	for i, v := range s.Vpcs {
		if v == nil || v.VpcId == "" {
			return fmt.Errorf("vpcs[%d] is empty or has no VpcId", i)
		}
	}
	for i, v := range s.Subnets {
		if v == nil || v.SubnetId == "" {
			return fmt.Errorf("subnets[%d] is empty or has no SubnetId", i)
		}
	}
	for i, v := range s.LoadBalancers {
		if v == nil || v.LoadBalancer.LoadBalancerArn == "" {
			return fmt.Errorf("loadBalancers[%d] is empty or has no LoadBalancerArn", i)
		}
	}
	for i, v := range s.TargetGroups {
		if v == nil || v.TargetGroup.TargetGroupArn == "" {
			return fmt.Errorf("targetGroups[%d] is empty or has no TargetGroupArn", i)
		}
		for j, t := range v.Targets {
			if t == nil || t.Target.Id == "" {
				return fmt.Errorf("targetGroups[%d].targets[%d] is empty or has no Id", i, j)
			}
		}
	}
	for i, v := range s.Listeners {
		if v == nil || v.Listener.ListenerArn == "" {
			return fmt.Errorf("listeners[%d] is empty or has no ListenerArn", i)
		}
	}
	for i, v := range s.EndpointServices {
		if v == nil || v.Service.ServiceId == "" {
			return fmt.Errorf("endpointServices[%d] is empty or has no ServiceId", i)
		}
	}
	for i, v := range s.Endpoints {
		if v == nil || v.Endpoint.VpcEndpointId == "" {
			return fmt.Errorf("endpoints[%d] is empty or has no VpcEndpointId", i)
		}
	}
	for i, v := range s.RouteTables {
		if v == nil || v.RouteTableId == "" || v.VpcId == "" {
			return fmt.Errorf("routeTables[%d] is empty or has no RouteTableId or VpcId", i)
		}
	}
	for i, v := range s.InternetGateways {
		if v == nil || v.InternetGatewayId == "" {
			return fmt.Errorf("internetGateways[%d] is empty or has no InternetGatewayId", i)
		}
	}
	for i, v := range s.ClientTokens {
		if v == nil || v.Operation == "" || v.Token == "" || v.ResourceId == "" {
			return fmt.Errorf("clientTokens[%d] is empty or has no operation, token or resourceId", i)
		}
	}
	return nil
}

// Clone returns a deep copy of s, made through the JSON encoding the state
// file uses so that nothing is shared.
func (s *State) Clone() *State {
	c, err := cloneJSON(s)
	if err != nil {
		// Every field of State marshals; failure is a programming error.
		panic("control: cloning state: " + err.Error())
	}
	return c
}

// --- lookups ---------------------------------------------------------------

// Vpc returns the VPC with id, or nil.
func (s *State) Vpc(id string) *Vpc {
	for _, v := range s.Vpcs {
		if v.VpcId == id {
			return v
		}
	}
	return nil
}

// Subnet returns the subnet with id, or nil.
func (s *State) Subnet(id string) *Subnet {
	for _, v := range s.Subnets {
		if v.SubnetId == id {
			return v
		}
	}
	return nil
}

// LoadBalancerByArn returns the load balancer with arn, or nil.
func (s *State) LoadBalancerByArn(arn string) *LoadBalancerRecord {
	for _, v := range s.LoadBalancers {
		if v.LoadBalancer.LoadBalancerArn == arn {
			return v
		}
	}
	return nil
}

// LoadBalancerByName returns the load balancer named name, or nil.
func (s *State) LoadBalancerByName(name string) *LoadBalancerRecord {
	for _, v := range s.LoadBalancers {
		if v.LoadBalancer.LoadBalancerName == name {
			return v
		}
	}
	return nil
}

// TargetGroupByArn returns the target group with arn, or nil.
func (s *State) TargetGroupByArn(arn string) *TargetGroupRecord {
	for _, v := range s.TargetGroups {
		if v.TargetGroup.TargetGroupArn == arn {
			return v
		}
	}
	return nil
}

// TargetGroupByName returns the target group named name, or nil.
func (s *State) TargetGroupByName(name string) *TargetGroupRecord {
	for _, v := range s.TargetGroups {
		if v.TargetGroup.TargetGroupName == name {
			return v
		}
	}
	return nil
}

// ListenerByArn returns the listener with arn, or nil.
func (s *State) ListenerByArn(arn string) *ListenerRecord {
	for _, v := range s.Listeners {
		if v.Listener.ListenerArn == arn {
			return v
		}
	}
	return nil
}

// ListenerOf returns the listener of the load balancer lbArn, or nil.
func (s *State) ListenerOf(lbArn string) *ListenerRecord {
	for _, v := range s.Listeners {
		if v.Listener.LoadBalancerArn == lbArn {
			return v
		}
	}
	return nil
}

// EndpointService returns the endpoint service with id, or nil.
func (s *State) EndpointService(id string) *EndpointServiceRecord {
	for _, v := range s.EndpointServices {
		if v.Service.ServiceId == id {
			return v
		}
	}
	return nil
}

// EndpointServiceByName returns the endpoint service named name, or nil.
func (s *State) EndpointServiceByName(name string) *EndpointServiceRecord {
	for _, v := range s.EndpointServices {
		if v.Service.ServiceName == name {
			return v
		}
	}
	return nil
}

// EndpointServiceOf returns the endpoint service a load balancer is
// associated with, or nil.
func (s *State) EndpointServiceOf(lbArn string) *EndpointServiceRecord {
	for _, v := range s.EndpointServices {
		if slices.Contains(v.Service.GatewayLoadBalancerArns, lbArn) {
			return v
		}
	}
	return nil
}

// Endpoint returns the endpoint with id, or nil.
func (s *State) Endpoint(id string) *EndpointRecord {
	for _, v := range s.Endpoints {
		if v.Endpoint.VpcEndpointId == id {
			return v
		}
	}
	return nil
}

// TargetGroupsOf returns the target groups the load balancer forwards to.
func (s *State) TargetGroupsOf(lbArn string) []*TargetGroupRecord {
	var out []*TargetGroupRecord
	for _, tg := range s.TargetGroups {
		if slices.Contains(tg.TargetGroup.LoadBalancerArns, lbArn) {
			out = append(out, tg)
		}
	}
	return out
}

// AttributeValue returns the value of key in attrs, or "".
func AttributeValue(attrs []Attribute, key string) string {
	for _, a := range attrs {
		if a.Key == key {
			return a.Value
		}
	}
	return ""
}

// Attribute returns the value of the load balancer attribute key.
func (r *LoadBalancerRecord) Attribute(key string) string { return AttributeValue(r.Attributes, key) }

// Attribute returns the value of the target group attribute key.
func (r *TargetGroupRecord) Attribute(key string) string { return AttributeValue(r.Attributes, key) }

// Attribute returns the value of the listener attribute key.
func (r *ListenerRecord) Attribute(key string) string { return AttributeValue(r.Attributes, key) }

// Target returns the registered target with id (draining ones included),
// or nil.
func (r *TargetGroupRecord) Target(id string) *RegisteredTarget {
	for _, t := range r.Targets {
		if t.Target.Id == id {
			return t
		}
	}
	return nil
}

// Prune drops targets whose deregistration delay is over at now and reports
// whether anything changed. Mutating operations prune the target groups they
// touch; the node (serve) may call it inside a store update.
func (s *State) Prune(now time.Time) bool {
	changed := false
	for _, tg := range s.TargetGroups {
		if tg.prune(now) {
			changed = true
		}
	}
	return changed
}

func (r *TargetGroupRecord) prune(now time.Time) bool {
	n := len(r.Targets)
	r.Targets = slices.DeleteFunc(r.Targets, func(t *RegisteredTarget) bool { return t.Gone(now) })
	return len(r.Targets) != n
}

// subnetContaining returns the subnet of vpc whose CIDR holds ip, or nil.
func (s *State) subnetContaining(vpcID string, ip netip.Addr) *Subnet {
	for _, sn := range s.Subnets {
		if sn.VpcId != vpcID {
			continue
		}
		if p, err := netip.ParsePrefix(sn.CidrBlock); err == nil && p.Contains(ip) {
			return sn
		}
	}
	return nil
}

// lbZones returns the zone names a load balancer is enabled in.
func lbZones(lb *LoadBalancer) []string {
	out := make([]string, 0, len(lb.AvailabilityZones))
	for _, z := range lb.AvailabilityZones {
		out = append(out, z.ZoneName)
	}
	return out
}

func lower(s string) string { return strings.ToLower(s) }
