package control

import (
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// RegisterTargetsInput mirrors elbv2 RegisterTargets.
type RegisterTargetsInput struct {
	TargetGroupArn string              `json:"TargetGroupArn"`
	Targets        []TargetDescription `json:"Targets"`
}

// RegisterTargetsOutput is empty, as AWS's.
type RegisterTargetsOutput struct{}

// DeregisterTargetsInput mirrors elbv2 DeregisterTargets.
type DeregisterTargetsInput struct {
	TargetGroupArn string              `json:"TargetGroupArn"`
	Targets        []TargetDescription `json:"Targets"`
}

// DeregisterTargetsOutput is empty, as AWS's.
type DeregisterTargetsOutput struct{}

var instanceIDRe = regexp.MustCompile(`^i-([0-9a-f]{8}|[0-9a-f]{17})$`)

// validZone reports whether zone is an availability zone of region:
// <region><letter a-f>. Deviation: gwlbctl accepts zones a-f in every region.
func validZone(region, zone string) bool {
	return len(zone) == len(region)+1 && strings.HasPrefix(zone, region) && zone[len(region)] >= 'a' && zone[len(region)] <= 'f'
}

// resolveTarget validates one target of a register request and fills in its
// availability zone: given, or derived from the VPC subnet holding an ip
// target's address.
func (s *State) resolveTarget(op string, env Env, tg *TargetGroupRecord, t TargetDescription) (TargetDescription, error) {
	if t.Port != nil && *t.Port != GenevePort {
		return t, newError(op, CodeValidationError, "Target '%s': port %d is not valid; GENEVE targets receive on port %d (leave the port out)", t.Id, *t.Port, GenevePort)
	}
	t.Port = nil
	if t.AvailabilityZone != "" && t.AvailabilityZone != "all" && !validZone(env.Region, t.AvailabilityZone) {
		return t, newError(op, CodeValidationError, "Target '%s': availability zone '%s' is not a zone of region %s", t.Id, t.AvailabilityZone, env.Region)
	}
	if t.AvailabilityZone == "all" {
		return t, newError(op, CodeValidationError, "Target '%s': AvailabilityZone 'all' is not supported by gateway load balancers; name the target's zone", t.Id)
	}
	switch tg.TargetGroup.TargetType {
	case "instance":
		if !instanceIDRe.MatchString(t.Id) {
			return t, newError(op, CodeInvalidTarget, "The target '%s' is not a valid instance ID (i- followed by 8 or 17 hex digits); this target group has target type instance", t.Id)
		}
		// Deviation: gwlbctl has no EC2 inventory, so an instance target's
		// zone is only known when the request names it.
	case "ip":
		ip, err := netip.ParseAddr(t.Id)
		if err != nil || !ip.Is4() {
			return t, newError(op, CodeInvalidTarget, "The target '%s' is not a valid IPv4 address; this target group has target type ip", t.Id)
		}
		if ip.IsUnspecified() || ip.IsMulticast() || ip.IsLoopback() || ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}) || ip.IsLinkLocalUnicast() {
			return t, newError(op, CodeInvalidTarget, "The IP address '%s' cannot be a target (loopback, link-local, multicast and broadcast addresses are not allowed)", t.Id)
		}
		if sn := s.subnetContaining(tg.TargetGroup.VpcId, ip); sn != nil {
			if t.AvailabilityZone != "" && t.AvailabilityZone != sn.AvailabilityZone {
				return t, newError(op, CodeInvalidTarget, "Target '%s' lies in subnet %s in %s, not in %s", t.Id, sn.SubnetId, sn.AvailabilityZone, t.AvailabilityZone)
			}
			t.AvailabilityZone = sn.AvailabilityZone
		} else if t.AvailabilityZone == "" {
			// Deviation: AWS accepts addresses outside the VPC only from
			// RFC 1918 / RFC 6598 ranges; gwlbctl accepts any unicast
			// address whose zone is named.
			return t, newError(op, CodeInvalidTarget, "The IP address '%s' is not in a subnet of VPC %s; give its zone: --targets Id=%s,AvailabilityZone=<zone>", t.Id, tg.TargetGroup.VpcId, t.Id)
		}
	}
	return t, nil
}

// RegisterTargets registers targets with a target group. Registering a
// registered target again is a no-op (and cancels draining).
func (s *State) RegisterTargets(env Env, in RegisterTargetsInput) (*RegisterTargetsOutput, error) {
	const op = "RegisterTargets"
	tg, err := s.targetGroup(op, in.TargetGroupArn)
	if err != nil {
		return nil, err
	}
	if len(in.Targets) == 0 {
		return nil, newError(op, CodeValidationError, "At least one target must be specified (--targets Id=...)")
	}
	now := env.now()
	resolved := make([]TargetDescription, 0, len(in.Targets))
	for _, t := range in.Targets {
		r, err := s.resolveTarget(op, env, tg, t)
		if err != nil {
			return nil, err
		}
		if old := tg.Target(r.Id); old != nil && !old.Gone(now) && old.Target.AvailabilityZone != r.AvailabilityZone && t.AvailabilityZone != "" {
			return nil, newError(op, CodeInvalidTarget, "Target '%s' is registered in %s; deregister it before registering it in %s", r.Id, old.Target.AvailabilityZone, r.AvailabilityZone)
		}
		resolved = append(resolved, r)
	}
	// Count what the target group and its load balancer would hold.
	perZone := map[string]int{}
	total := 0
	live := func(t *RegisteredTarget) bool { return !t.Gone(now) }
	ids := map[string]bool{}
	for _, t := range tg.Targets {
		if live(t) {
			ids[t.Target.Id] = true
			perZone[t.Target.AvailabilityZone]++
			total++
		}
	}
	for _, r := range resolved {
		if !ids[r.Id] {
			ids[r.Id] = true
			perZone[r.AvailabilityZone]++
			total++
		}
	}
	if total > MaxTargetsPerTargetGroup {
		return nil, newError(op, CodeTooManyTargets, "You've reached the limit on the number of targets per target group (%d)", MaxTargetsPerTargetGroup)
	}
	for z, n := range perZone {
		if n > MaxTargetsPerZonePerGroup {
			return nil, newError(op, CodeTooManyTargets, "You've reached the limit on the number of targets per Availability Zone (%s) per target group (%d)", z, MaxTargetsPerZonePerGroup)
		}
	}
	for _, lbArn := range tg.TargetGroup.LoadBalancerArns {
		n := total
		for _, other := range s.TargetGroupsOf(lbArn) {
			if other != tg {
				for _, t := range other.Targets {
					if live(t) {
						n++
					}
				}
			}
		}
		if n > MaxTargetsPerLoadBalancer {
			return nil, newError(op, CodeTooManyTargets, "You've reached the limit on the number of targets per gateway load balancer (%d)", MaxTargetsPerLoadBalancer)
		}
	}
	tg.prune(now)
	for _, r := range resolved {
		if old := tg.Target(r.Id); old != nil {
			if old.DrainUntil != nil {
				old.DrainUntil = nil
				old.RegisteredAt = NewTimestamp(now)
				old.HealthViews = nil
			}
			continue
		}
		tg.Targets = append(tg.Targets, &RegisteredTarget{Target: r, RegisteredAt: NewTimestamp(now)})
	}
	return &RegisterTargetsOutput{}, nil
}

// DeregisterTargets starts draining targets; they are gone after the
// target group's deregistration delay (at once when the delay is 0 or no
// load balancer uses the group).
func (s *State) DeregisterTargets(env Env, in DeregisterTargetsInput) (*DeregisterTargetsOutput, error) {
	const op = "DeregisterTargets"
	tg, err := s.targetGroup(op, in.TargetGroupArn)
	if err != nil {
		return nil, err
	}
	if len(in.Targets) == 0 {
		return nil, newError(op, CodeValidationError, "At least one target must be specified (--targets Id=...)")
	}
	now := env.now()
	var found []*RegisteredTarget
	for _, t := range in.Targets {
		if t.Port != nil && *t.Port != GenevePort {
			return nil, newError(op, CodeInvalidTarget, "The target '%s' with port %d is not registered with target group '%s'", t.Id, *t.Port, in.TargetGroupArn)
		}
		rt := tg.Target(t.Id)
		if rt == nil || rt.Gone(now) {
			return nil, newError(op, CodeInvalidTarget, "The target '%s' is not registered with target group '%s'", t.Id, in.TargetGroupArn)
		}
		found = append(found, rt)
	}
	delay, _ := strconv.Atoi(tg.Attribute(AttrDeregistrationDelay))
	until := NewTimestamp(now.Add(time.Duration(delay) * time.Second))
	if len(tg.TargetGroup.LoadBalancerArns) == 0 {
		until = NewTimestamp(now)
	}
	for _, rt := range found {
		if rt.DrainUntil == nil {
			rt.DrainUntil = &until
		}
	}
	tg.prune(now)
	return &DeregisterTargetsOutput{}, nil
}

// DescribeTargetHealthInput mirrors elbv2 DescribeTargetHealth.
type DescribeTargetHealthInput struct {
	TargetGroupArn string              `json:"TargetGroupArn"`
	Targets        []TargetDescription `json:"Targets,omitempty"`
}

// DescribeTargetHealthOutput mirrors elbv2 DescribeTargetHealth's response.
type DescribeTargetHealthOutput struct {
	TargetHealthDescriptions []TargetHealthDescription `json:"TargetHealthDescriptions"`
}

// DescribeTargetHealth reports each target's health, as TargetHealthAt
// decides it from the result the health checker recorded.
func (s *State) DescribeTargetHealth(env Env, in DescribeTargetHealthInput) (*DescribeTargetHealthOutput, error) {
	const op = "DescribeTargetHealth"
	tg, err := s.targetGroup(op, in.TargetGroupArn)
	if err != nil {
		return nil, err
	}
	now := env.now()
	out := &DescribeTargetHealthOutput{TargetHealthDescriptions: []TargetHealthDescription{}}
	if len(in.Targets) > 0 {
		for _, want := range in.Targets {
			rt := tg.Target(want.Id)
			if rt == nil || rt.Gone(now) {
				d := TargetHealthDescription{
					Target:          TargetDescription{Id: want.Id, Port: ptr(GenevePort), AvailabilityZone: want.AvailabilityZone},
					HealthCheckPort: tg.TargetGroup.HealthCheckPort,
					TargetHealth:    TargetHealth{State: TargetHealthUnused, Reason: ReasonNotRegistered, Description: "Target is not registered to the target group"},
				}
				out.TargetHealthDescriptions = append(out.TargetHealthDescriptions, d)
				continue
			}
			out.TargetHealthDescriptions = append(out.TargetHealthDescriptions, s.targetHealth(env, tg, rt, now))
		}
		return out, nil
	}
	for _, rt := range tg.Targets {
		if rt.Gone(now) {
			continue
		}
		out.TargetHealthDescriptions = append(out.TargetHealthDescriptions, s.targetHealth(env, tg, rt, now))
	}
	return out, nil
}

// TargetHealthAt decides the health of registered target rt of tg at now:
// what describe-target-health reports, and what the data path must act
// on. observed is the health checker's latest result for the target (the
// zero TargetHealth: none yet); describe-target-health passes the one
// recorded in the state (RegisteredTarget.RecordedHealth).
//
// What the control plane knows comes first: a target whose
// deregistration delay is over is unused (Target.NotRegistered); one
// deregistered is draining (Target.DeregistrationInProgress); one whose
// group no load balancer uses, or whose zone is not one of its load
// balancers', is unused (Target.NotInUse; GWLB does not health check
// those); one without a result yet is initial
// (Elb.RegistrationInProgress). Otherwise the observed result stands:
// healthy, unhealthy (Target.FailedHealthChecks, Target.Timeout, ...),
// initial (Elb.InitialHealthChecking) or unavailable.
func (s *State) TargetHealthAt(tg *TargetGroupRecord, rt *RegisteredTarget, observed TargetHealth, now time.Time) TargetHealth {
	switch {
	case rt.Gone(now):
		return TargetHealth{State: TargetHealthUnused, Reason: ReasonNotRegistered, Description: "Target is not registered to the target group"}
	case rt.Draining(now):
		return TargetHealth{State: TargetHealthDraining, Reason: ReasonDeregistrationInProgress, Description: "Target deregistration is in progress"}
	case len(tg.TargetGroup.LoadBalancerArns) == 0:
		return TargetHealth{State: TargetHealthUnused, Reason: ReasonNotInUse, Description: "Target group is not configured to receive traffic from the load balancer"}
	}
	inZone := rt.Target.AvailabilityZone == ""
	for _, lbArn := range tg.TargetGroup.LoadBalancerArns {
		if lb := s.LoadBalancerByArn(lbArn); lb != nil && slices.Contains(lbZones(&lb.LoadBalancer), rt.Target.AvailabilityZone) {
			inZone = true
		}
	}
	if !inZone {
		return TargetHealth{State: TargetHealthUnused, Reason: ReasonNotInUse, Description: "Target is in an Availability Zone that is not enabled for the load balancer"}
	}
	if observed.State == "" {
		return TargetHealth{State: TargetHealthInitial, Reason: ReasonRegistrationInProgress, Description: "Target registration is in progress"}
	}
	return observed
}

func (s *State) targetHealth(env Env, tg *TargetGroupRecord, rt *RegisteredTarget, now time.Time) TargetHealthDescription {
	t := rt.Target
	t.Port = ptr(GenevePort)
	v, _ := rt.CombinedHealth(env.Nodes)
	return TargetHealthDescription{Target: t, HealthCheckPort: tg.TargetGroup.HealthCheckPort, TargetHealth: s.TargetHealthAt(tg, rt, v.Health, now)}
}
