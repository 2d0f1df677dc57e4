package apply

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/gwlbctl/gwlbctl/control"
)

// Action is what a Change does.
type Action string

// Actions of a plan.
const (
	Create Action = "create"
	Update Action = "update"
	Delete Action = "delete"
)

// Change is one step of a plan.
type Change struct {
	Action Action `json:"Action"`
	// Kind is vpc, subnet, target-group, targets, load-balancer, listener,
	// endpoint-service or endpoint.
	Kind   string `json:"Kind"`
	Name   string `json:"Name"`
	Detail string `json:"Detail,omitempty"`
}

// Plan is the ordered list of changes that brings a state to a topology.
type Plan struct {
	Changes []Change `json:"Changes"`
}

// Empty reports whether the state already matches the topology.
func (p Plan) Empty() bool { return len(p.Changes) == 0 }

// String renders the plan for people: one line per change, "+" create,
// "~" update, "-" delete; or "No changes." when there is nothing to do.
func (p Plan) String() string {
	if p.Empty() {
		return "No changes. The state matches the topology.\n"
	}
	var b strings.Builder
	n := map[Action]int{}
	for _, c := range p.Changes {
		sign := map[Action]string{Create: "+", Update: "~", Delete: "-"}[c.Action]
		fmt.Fprintf(&b, "%s %s %s %s", sign, c.Action, c.Kind, c.Name)
		if c.Detail != "" {
			fmt.Fprintf(&b, ": %s", c.Detail)
		}
		b.WriteByte('\n')
		n[c.Action]++
	}
	fmt.Fprintf(&b, "Plan: %d to create, %d to update, %d to delete.\n", n[Create], n[Update], n[Delete])
	return b.String()
}

// PlanFor computes the changes Apply would make, without touching st: it
// runs the reconciliation on a copy, so the plan has gone through the same
// validation as the real run.
func PlanFor(st *control.State, env control.Env, t *Topology) (Plan, error) {
	return reconcile(st.Clone(), env, t)
}

// Apply changes st to match t through the control operations and returns
// what it did. On error st may be partly changed: run it inside one
// store.Update, which then writes nothing, so an apply is all-or-nothing.
func Apply(st *control.State, env control.Env, t *Topology) (Plan, error) {
	return reconcile(st, env, t)
}

type reconciler struct {
	s    *control.State
	env  control.Env
	t    *Topology
	plan Plan

	vpcIDs    map[string]string
	subnetIDs map[string]string
	tgArns    map[string]string
	lbArns    map[string]string
	svcIDs    map[string]string
}

func reconcile(st *control.State, env control.Env, t *Topology) (Plan, error) {
	if err := t.Check(); err != nil {
		return Plan{}, err
	}
	if t.Region != "" && t.Region != env.Region {
		return Plan{}, fmt.Errorf("the topology is for region %s but gwlbctl acts in %s (set --region or GWLBCTL_REGION)", t.Region, env.Region)
	}
	r := &reconciler{s: st, env: env, t: t, plan: Plan{Changes: []Change{}},
		vpcIDs: map[string]string{}, subnetIDs: map[string]string{}, tgArns: map[string]string{},
		lbArns: map[string]string{}, svcIDs: map[string]string{}}
	for _, step := range []func() error{
		r.deleteEndpoints, r.deleteServices,
		r.vpcs, r.targetGroups, r.loadBalancers, r.targets, r.services, r.endpoints,
		r.deleteLoadBalancers, r.deleteTargetGroups, r.deleteSubnets, r.deleteVpcs,
	} {
		if err := step(); err != nil {
			return r.plan, err
		}
	}
	return r.plan, nil
}

func (r *reconciler) add(a Action, kind, name, format string, args ...any) {
	r.plan.Changes = append(r.plan.Changes, Change{Action: a, Kind: kind, Name: name, Detail: fmt.Sprintf(format, args...)})
}

func wrap(kind, name string, err error) error {
	return fmt.Errorf("%s %s: %w", kind, name, err)
}

// --- tags ------------------------------------------------------------------

func managed(tags []control.Tag) bool {
	v, ok := control.TagValue(tags, ManagedByKey)
	return ok && v == ManagedByValue
}

func nameOf(tags []control.Tag) string {
	v, _ := control.TagValue(tags, NameKey)
	return v
}

// desiredTags is the file's tags plus the managed-by tag (and Name for EC2
// resources), sorted by key.
func desiredTags(spec map[string]string, name string, ec2 bool) []control.Tag {
	m := maps.Clone(spec)
	if m == nil {
		m = map[string]string{}
	}
	m[ManagedByKey] = ManagedByValue
	if ec2 {
		m[NameKey] = name
	}
	out := make([]control.Tag, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, control.Tag{Key: k, Value: m[k]})
	}
	return out
}

// tagDiff returns the tags to set and the keys to remove to turn have into want.
func tagDiff(have, want []control.Tag) (set []control.Tag, remove []string) {
	for _, w := range want {
		if v, ok := control.TagValue(have, w.Key); !ok || v != w.Value {
			set = append(set, w)
		}
	}
	for _, h := range have {
		if _, ok := control.TagValue(want, h.Key); !ok {
			remove = append(remove, h.Key)
		}
	}
	return set, remove
}

func tagDetail(set []control.Tag, remove []string) string {
	var parts []string
	for _, t := range set {
		parts = append(parts, "tag "+t.Key+"="+t.Value)
	}
	for _, k := range remove {
		parts = append(parts, "untag "+k)
	}
	return strings.Join(parts, ", ")
}

func (r *reconciler) ec2Tags(kind, name, id string, have []control.Tag, spec map[string]string) error {
	set, remove := tagDiff(have, desiredTags(spec, name, true))
	if len(set) == 0 && len(remove) == 0 {
		return nil
	}
	if len(set) > 0 {
		if _, err := r.s.CreateTags(r.env, control.CreateTagsInput{Resources: []string{id}, Tags: set}); err != nil {
			return wrap(kind, name, err)
		}
	}
	if len(remove) > 0 {
		del := make([]control.Tag, len(remove))
		for i, k := range remove {
			del[i] = control.Tag{Key: k}
		}
		if _, err := r.s.DeleteTags(r.env, control.DeleteTagsInput{Resources: []string{id}, Tags: del}); err != nil {
			return wrap(kind, name, err)
		}
	}
	r.add(Update, kind, name, "%s", tagDetail(set, remove))
	return nil
}

func (r *reconciler) elbTags(kind, name, arn string, have []control.Tag, spec map[string]string) error {
	set, remove := tagDiff(have, desiredTags(spec, name, false))
	if len(set) == 0 && len(remove) == 0 {
		return nil
	}
	if len(set) > 0 {
		if _, err := r.s.AddTags(r.env, control.AddTagsInput{ResourceArns: []string{arn}, Tags: set}); err != nil {
			return wrap(kind, name, err)
		}
	}
	if len(remove) > 0 {
		if _, err := r.s.RemoveTags(r.env, control.RemoveTagsInput{ResourceArns: []string{arn}, TagKeys: remove}); err != nil {
			return wrap(kind, name, err)
		}
	}
	r.add(Update, kind, name, "%s", tagDetail(set, remove))
	return nil
}

func tagSpec(resourceType string, tags []control.Tag) []control.TagSpecification {
	return []control.TagSpecification{{ResourceType: resourceType, Tags: tags}}
}

// attrDiff returns the attributes of want (defaults overlaid with the
// file) whose value differs from have.
func attrDiff(have, defaults []control.Attribute, spec map[string]string) []control.Attribute {
	want := slices.Clone(defaults)
	for _, k := range slices.Sorted(maps.Keys(spec)) {
		i := slices.IndexFunc(want, func(a control.Attribute) bool { return a.Key == k })
		if i >= 0 {
			want[i].Value = spec[k]
		} else {
			want = append(want, control.Attribute{Key: k, Value: spec[k]})
		}
	}
	var out []control.Attribute
	for _, w := range want {
		if control.AttributeValue(have, w.Key) != w.Value {
			out = append(out, w)
		}
	}
	return out
}

func attrDetail(attrs []control.Attribute) string {
	parts := make([]string, len(attrs))
	for i, a := range attrs {
		parts[i] = a.Key + "=" + a.Value
	}
	return strings.Join(parts, ", ")
}

// --- VPCs and subnets ---------------------------------------------------------

func (r *reconciler) vpcByName(name string) (*control.Vpc, error) {
	var found []*control.Vpc
	for _, v := range r.s.Vpcs {
		if nameOf(v.Tags) == name {
			found = append(found, v)
		}
	}
	if len(found) > 1 {
		return nil, fmt.Errorf("vpc %s: %d VPCs carry the Name tag %q; make it unique", name, len(found), name)
	}
	if len(found) == 0 {
		return nil, nil
	}
	return found[0], nil
}

func (r *reconciler) subnetByName(name string) (*control.Subnet, error) {
	var found []*control.Subnet
	for _, v := range r.s.Subnets {
		if nameOf(v.Tags) == name {
			found = append(found, v)
		}
	}
	if len(found) > 1 {
		return nil, fmt.Errorf("subnet %s: %d subnets carry the Name tag %q; make it unique", name, len(found), name)
	}
	if len(found) == 0 {
		return nil, nil
	}
	return found[0], nil
}

func (r *reconciler) vpcs() error {
	for _, v := range r.t.Vpcs {
		have, err := r.vpcByName(v.Name)
		if err != nil {
			return err
		}
		if have == nil {
			out, err := r.s.CreateVpc(r.env, control.CreateVpcInput{CidrBlock: v.Cidr, TagSpecifications: tagSpec("vpc", desiredTags(v.Tags, v.Name, true))})
			if err != nil {
				return wrap("vpc", v.Name, err)
			}
			r.vpcIDs[v.Name] = out.Vpc.VpcId
			r.add(Create, "vpc", v.Name, "%s", v.Cidr)
		} else {
			if have.CidrBlock != v.Cidr {
				return fmt.Errorf("vpc %s: its CIDR is %s and cannot change to %s; rename the VPC in the file to create a new one", v.Name, have.CidrBlock, v.Cidr)
			}
			r.vpcIDs[v.Name] = have.VpcId
			if err := r.ec2Tags("vpc", v.Name, have.VpcId, have.Tags, v.Tags); err != nil {
				return err
			}
		}
		for _, sn := range v.Subnets {
			if err := r.subnet(v.Name, sn); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *reconciler) subnet(vpcName string, sn SubnetSpec) error {
	vpcID := r.vpcIDs[vpcName]
	have, err := r.subnetByName(sn.Name)
	if err != nil {
		return err
	}
	if have == nil {
		out, err := r.s.CreateSubnet(r.env, control.CreateSubnetInput{VpcId: vpcID, CidrBlock: sn.Cidr, AvailabilityZone: sn.Zone, TagSpecifications: tagSpec("subnet", desiredTags(sn.Tags, sn.Name, true))})
		if err != nil {
			return wrap("subnet", sn.Name, err)
		}
		r.subnetIDs[sn.Name] = out.Subnet.SubnetId
		r.add(Create, "subnet", sn.Name, "%s in %s (vpc %s)", sn.Cidr, sn.Zone, vpcName)
		return nil
	}
	if have.VpcId != vpcID || have.CidrBlock != sn.Cidr || have.AvailabilityZone != sn.Zone {
		return fmt.Errorf("subnet %s: it is %s in %s (%s) and cannot change to %s in %s (vpc %s); rename it in the file to create a new one",
			sn.Name, have.CidrBlock, have.AvailabilityZone, have.VpcId, sn.Cidr, sn.Zone, vpcName)
	}
	r.subnetIDs[sn.Name] = have.SubnetId
	return r.ec2Tags("subnet", sn.Name, have.SubnetId, have.Tags, sn.Tags)
}

func (r *reconciler) vpcRef(ref string) string {
	if id, ok := r.vpcIDs[ref]; ok {
		return id
	}
	return ref
}

func (r *reconciler) subnetRef(ref string) string {
	if id, ok := r.subnetIDs[ref]; ok {
		return id
	}
	return ref
}

// --- target groups ----------------------------------------------------------

// healthCheckWant returns the health-check fields the file asks for, with
// GWLB's defaults filled in, and whether the protocol is HTTP(S).
func healthCheckWant(h HealthCheckSpec) (proto, port, path, matcher string, interval, timeout, healthy, unhealthy int) {
	proto = strings.ToUpper(h.Protocol)
	if proto == "" {
		proto = control.DefaultHealthCheckProtocol
	}
	port = control.DefaultHealthCheckPort
	if h.Port != 0 {
		port = strconv.Itoa(h.Port)
	}
	if proto == "HTTP" || proto == "HTTPS" {
		path, matcher = h.Path, h.Matcher
		if path == "" {
			path = control.DefaultHealthCheckPath
		}
		if matcher == "" {
			matcher = control.DefaultHealthCheckMatcher
		}
	} else {
		path, matcher = h.Path, h.Matcher // passed through so the operation rejects them
	}
	orDefault := func(v, d int) int {
		if v == 0 {
			return d
		}
		return v
	}
	return proto, port, path, matcher,
		orDefault(h.IntervalSeconds, control.DefaultHealthCheckInterval),
		orDefault(h.TimeoutSeconds, control.DefaultHealthCheckTimeout),
		orDefault(h.HealthyThreshold, control.DefaultHealthyThreshold),
		orDefault(h.UnhealthyThreshold, control.DefaultUnhealthyThreshold)
}

func (r *reconciler) targetGroups() error {
	for _, g := range r.t.TargetGroups {
		proto, port, path, matcher, interval, timeout, healthy, unhealthy := healthCheckWant(g.HealthCheck)
		var m *control.Matcher
		if matcher != "" {
			m = &control.Matcher{HttpCode: matcher}
		}
		targetType := g.TargetType
		if targetType == "" {
			targetType = "ip"
		}
		have := r.s.TargetGroupByName(g.Name)
		if have == nil {
			port6081 := control.GenevePort
			out, err := r.s.CreateTargetGroup(r.env, control.CreateTargetGroupInput{
				Name: g.Name, Protocol: "GENEVE", Port: &port6081, VpcId: r.vpcRef(g.Vpc), TargetType: targetType,
				HealthCheckProtocol: proto, HealthCheckPort: port, HealthCheckPath: path, Matcher: m,
				HealthCheckIntervalSeconds: &interval, HealthCheckTimeoutSeconds: &timeout,
				HealthyThresholdCount: &healthy, UnhealthyThresholdCount: &unhealthy,
				Tags: desiredTags(g.Tags, g.Name, false),
			})
			if err != nil {
				return wrap("target-group", g.Name, err)
			}
			arn := out.TargetGroups[0].TargetGroupArn
			r.tgArns[g.Name] = arn
			r.add(Create, "target-group", g.Name, "GENEVE:6081 %s targets, health check %s:%s", targetType, proto, port)
			if set := attrDiff(control.DefaultTargetGroupAttributes(), control.DefaultTargetGroupAttributes(), g.Attributes); len(set) > 0 {
				if _, err := r.s.ModifyTargetGroupAttributes(r.env, control.ModifyTargetGroupAttributesInput{TargetGroupArn: arn, Attributes: set}); err != nil {
					return wrap("target-group", g.Name, err)
				}
				r.add(Update, "target-group", g.Name, "attributes %s", attrDetail(set))
			}
			continue
		}
		tg := &have.TargetGroup
		r.tgArns[g.Name] = tg.TargetGroupArn
		if tg.VpcId != r.vpcRef(g.Vpc) || tg.TargetType != targetType {
			return fmt.Errorf("target-group %s: its VPC (%s) and target type (%s) are fixed at creation and cannot change to %s/%s; rename it in the file to create a new one",
				g.Name, tg.VpcId, tg.TargetType, r.vpcRef(g.Vpc), targetType)
		}
		haveMatcher := ""
		if tg.Matcher != nil {
			haveMatcher = tg.Matcher.HttpCode
		}
		if tg.HealthCheckProtocol != proto || tg.HealthCheckPort != port || tg.HealthCheckPath != path || haveMatcher != matcher ||
			tg.HealthCheckIntervalSeconds != interval || tg.HealthCheckTimeoutSeconds != timeout ||
			tg.HealthyThresholdCount != healthy || tg.UnhealthyThresholdCount != unhealthy {
			if _, err := r.s.ModifyTargetGroup(r.env, control.ModifyTargetGroupInput{
				TargetGroupArn: tg.TargetGroupArn, HealthCheckProtocol: proto, HealthCheckPort: port, HealthCheckPath: path, Matcher: m,
				HealthCheckIntervalSeconds: &interval, HealthCheckTimeoutSeconds: &timeout,
				HealthyThresholdCount: &healthy, UnhealthyThresholdCount: &unhealthy,
			}); err != nil {
				return wrap("target-group", g.Name, err)
			}
			r.add(Update, "target-group", g.Name, "health check %s:%s interval %d timeout %d thresholds %d/%d", proto, port, interval, timeout, healthy, unhealthy)
		}
		if set := attrDiff(have.Attributes, control.DefaultTargetGroupAttributes(), g.Attributes); len(set) > 0 {
			if _, err := r.s.ModifyTargetGroupAttributes(r.env, control.ModifyTargetGroupAttributesInput{TargetGroupArn: tg.TargetGroupArn, Attributes: set}); err != nil {
				return wrap("target-group", g.Name, err)
			}
			r.add(Update, "target-group", g.Name, "attributes %s", attrDetail(set))
		}
		if err := r.elbTags("target-group", g.Name, tg.TargetGroupArn, have.Tags, g.Tags); err != nil {
			return err
		}
	}
	return nil
}

// targets registers and deregisters so that each target group holds
// exactly the file's targets. It runs after the listeners exist, so
// deregistered targets drain as they would on AWS.
func (r *reconciler) targets() error {
	for _, g := range r.t.TargetGroups {
		arn := r.tgArns[g.Name]
		tg := r.s.TargetGroupByArn(arn)
		want := map[string]TargetSpec{}
		for _, x := range g.Targets {
			want[x.Id] = x
		}
		var reg, dereg []control.TargetDescription
		live := map[string]bool{}
		for _, x := range tg.Targets {
			if x.DrainUntil != nil {
				continue
			}
			live[x.Target.Id] = true
			if _, ok := want[x.Target.Id]; !ok {
				dereg = append(dereg, control.TargetDescription{Id: x.Target.Id})
			}
		}
		for _, x := range g.Targets {
			if !live[x.Id] {
				reg = append(reg, control.TargetDescription{Id: x.Id, AvailabilityZone: x.Zone})
			}
		}
		if len(reg) > 0 {
			if _, err := r.s.RegisterTargets(r.env, control.RegisterTargetsInput{TargetGroupArn: arn, Targets: reg}); err != nil {
				return wrap("targets of", g.Name, err)
			}
			r.add(Update, "targets", g.Name, "register %s", targetList(reg))
		}
		if len(dereg) > 0 {
			if _, err := r.s.DeregisterTargets(r.env, control.DeregisterTargetsInput{TargetGroupArn: arn, Targets: dereg}); err != nil {
				return wrap("targets of", g.Name, err)
			}
			r.add(Update, "targets", g.Name, "deregister %s", targetList(dereg))
		}
	}
	return nil
}

func targetList(ts []control.TargetDescription) string {
	ids := make([]string, len(ts))
	for i, t := range ts {
		ids[i] = t.Id
	}
	return strings.Join(ids, ", ")
}

// --- load balancers and listeners ---------------------------------------------

func (r *reconciler) loadBalancers() error {
	for _, lb := range r.t.LoadBalancers {
		subnets := make([]string, len(lb.Subnets))
		for i, s := range lb.Subnets {
			subnets[i] = r.subnetRef(s)
		}
		ipType := lb.IpAddressType
		if ipType == "" {
			ipType = "ipv4"
		}
		have := r.s.LoadBalancerByName(lb.Name)
		var arn string
		var attrs []control.Attribute
		if have == nil {
			out, err := r.s.CreateLoadBalancer(r.env, control.CreateLoadBalancerInput{Name: lb.Name, Type: "gateway", Subnets: subnets, IpAddressType: ipType, Tags: desiredTags(lb.Tags, lb.Name, false)})
			if err != nil {
				return wrap("load-balancer", lb.Name, err)
			}
			arn = out.LoadBalancers[0].LoadBalancerArn
			attrs = control.DefaultLoadBalancerAttributes()
			r.add(Create, "load-balancer", lb.Name, "gateway in %s", strings.Join(lb.Subnets, ", "))
		} else {
			arn = have.LoadBalancer.LoadBalancerArn
			attrs = have.Attributes
			var haveSubnets []string
			for _, z := range have.LoadBalancer.AvailabilityZones {
				haveSubnets = append(haveSubnets, z.SubnetId)
			}
			slices.Sort(haveSubnets)
			wantSorted := slices.Sorted(slices.Values(subnets))
			if !slices.Equal(haveSubnets, wantSorted) || have.LoadBalancer.IpAddressType != ipType {
				return fmt.Errorf("load-balancer %s: its subnets (%s) and IP address type (%s) cannot change in place; rename it in the file to create a new one",
					lb.Name, strings.Join(haveSubnets, ", "), have.LoadBalancer.IpAddressType)
			}
			if err := r.elbTags("load-balancer", lb.Name, arn, have.Tags, lb.Tags); err != nil {
				return err
			}
		}
		r.lbArns[lb.Name] = arn
		if set := attrDiff(attrs, control.DefaultLoadBalancerAttributes(), lb.Attributes); len(set) > 0 {
			if _, err := r.s.ModifyLoadBalancerAttributes(r.env, control.ModifyLoadBalancerAttributesInput{LoadBalancerArn: arn, Attributes: set}); err != nil {
				return wrap("load-balancer", lb.Name, err)
			}
			r.add(Update, "load-balancer", lb.Name, "attributes %s", attrDetail(set))
		}
		if err := r.listener(lb, arn); err != nil {
			return err
		}
	}
	return nil
}

func (r *reconciler) listener(lb LoadBalancerSpec, lbArn string) error {
	have := r.s.ListenerOf(lbArn)
	if lb.Listener == nil {
		if have != nil {
			if _, err := r.s.DeleteListener(r.env, control.DeleteListenerInput{ListenerArn: have.Listener.ListenerArn}); err != nil {
				return wrap("listener of", lb.Name, err)
			}
			r.add(Delete, "listener", lb.Name, "")
		}
		return nil
	}
	tgArn := r.tgArns[lb.Listener.TargetGroup]
	action := []control.Action{{Type: "forward", TargetGroupArn: tgArn}}
	var attrs []control.Attribute
	var listenerArn string
	if have == nil {
		out, err := r.s.CreateListener(r.env, control.CreateListenerInput{LoadBalancerArn: lbArn, DefaultActions: action, Tags: desiredTags(nil, lb.Name, false)})
		if err != nil {
			return wrap("listener of", lb.Name, err)
		}
		listenerArn = out.Listeners[0].ListenerArn
		attrs = control.DefaultListenerAttributes()
		r.add(Create, "listener", lb.Name, "forward to %s", lb.Listener.TargetGroup)
	} else {
		listenerArn = have.Listener.ListenerArn
		attrs = have.Attributes
		if len(have.Listener.DefaultActions) != 1 || have.Listener.DefaultActions[0].TargetGroupArn != tgArn {
			if _, err := r.s.ModifyListener(r.env, control.ModifyListenerInput{ListenerArn: listenerArn, DefaultActions: action}); err != nil {
				return wrap("listener of", lb.Name, err)
			}
			r.add(Update, "listener", lb.Name, "forward to %s", lb.Listener.TargetGroup)
		}
	}
	if set := attrDiff(attrs, control.DefaultListenerAttributes(), lb.Listener.Attributes); len(set) > 0 {
		if _, err := r.s.ModifyListenerAttributes(r.env, control.ModifyListenerAttributesInput{ListenerArn: listenerArn, Attributes: set}); err != nil {
			return wrap("listener of", lb.Name, err)
		}
		r.add(Update, "listener", lb.Name, "attributes %s", attrDetail(set))
	}
	return nil
}

// --- endpoint services and endpoints ----------------------------------------------

func (r *reconciler) serviceByName(name string) (*control.EndpointServiceRecord, error) {
	var found []*control.EndpointServiceRecord
	for _, v := range r.s.EndpointServices {
		if nameOf(v.Service.Tags) == name {
			found = append(found, v)
		}
	}
	if len(found) > 1 {
		return nil, fmt.Errorf("endpoint-service %s: %d services carry the Name tag %q; make it unique", name, len(found), name)
	}
	if len(found) == 0 {
		return nil, nil
	}
	return found[0], nil
}

func (r *reconciler) services() error {
	for _, sv := range r.t.EndpointServices {
		var lbs []string
		for _, n := range sv.LoadBalancers {
			lbs = append(lbs, r.lbArns[n])
		}
		acceptance := true
		if sv.AcceptanceRequired != nil {
			acceptance = *sv.AcceptanceRequired
		}
		have, err := r.serviceByName(sv.Name)
		if err != nil {
			return err
		}
		var id string
		var principals []string
		if have == nil {
			out, err := r.s.CreateVpcEndpointServiceConfiguration(r.env, control.CreateVpcEndpointServiceConfigurationInput{
				AcceptanceRequired: &acceptance, GatewayLoadBalancerArns: lbs,
				TagSpecifications: tagSpec("vpc-endpoint-service", desiredTags(sv.Tags, sv.Name, true)),
			})
			if err != nil {
				return wrap("endpoint-service", sv.Name, err)
			}
			id = out.ServiceConfiguration.ServiceId
			r.add(Create, "endpoint-service", sv.Name, "for %s, acceptance required %v", strings.Join(sv.LoadBalancers, ", "), acceptance)
		} else {
			id = have.Service.ServiceId
			var add, remove []string
			for _, a := range lbs {
				if !slices.Contains(have.Service.GatewayLoadBalancerArns, a) {
					add = append(add, a)
				}
			}
			for _, a := range have.Service.GatewayLoadBalancerArns {
				if !slices.Contains(lbs, a) {
					remove = append(remove, a)
				}
			}
			if len(add) > 0 || len(remove) > 0 || have.Service.AcceptanceRequired != acceptance {
				in := control.ModifyVpcEndpointServiceConfigurationInput{ServiceId: id, AddGatewayLoadBalancerArns: add, RemoveGatewayLoadBalancerArns: remove}
				if have.Service.AcceptanceRequired != acceptance {
					in.AcceptanceRequired = &acceptance
				}
				if _, err := r.s.ModifyVpcEndpointServiceConfiguration(r.env, in); err != nil {
					return wrap("endpoint-service", sv.Name, err)
				}
				r.add(Update, "endpoint-service", sv.Name, "load balancers %s, acceptance required %v", strings.Join(sv.LoadBalancers, ", "), acceptance)
			}
			for _, p := range have.AllowedPrincipals {
				principals = append(principals, p.Principal)
			}
			if err := r.ec2Tags("endpoint-service", sv.Name, id, have.Service.Tags, sv.Tags); err != nil {
				return err
			}
		}
		r.svcIDs[sv.Name] = id
		var add, remove []string
		for _, p := range sv.AllowedPrincipals {
			if !slices.Contains(principals, p) {
				add = append(add, p)
			}
		}
		for _, p := range principals {
			if !slices.Contains(sv.AllowedPrincipals, p) {
				remove = append(remove, p)
			}
		}
		if len(add) > 0 || len(remove) > 0 {
			if _, err := r.s.ModifyVpcEndpointServicePermissions(r.env, control.ModifyVpcEndpointServicePermissionsInput{ServiceId: id, AddAllowedPrincipals: add, RemoveAllowedPrincipals: remove}); err != nil {
				return wrap("endpoint-service", sv.Name, err)
			}
			var parts []string
			for _, p := range add {
				parts = append(parts, "allow "+p)
			}
			for _, p := range remove {
				parts = append(parts, "disallow "+p)
			}
			r.add(Update, "endpoint-service", sv.Name, "%s", strings.Join(parts, ", "))
		}
	}
	return nil
}

func (r *reconciler) endpointByName(name string) (*control.EndpointRecord, error) {
	var found []*control.EndpointRecord
	for _, v := range r.s.Endpoints {
		if nameOf(v.Endpoint.Tags) == name {
			found = append(found, v)
		}
	}
	if len(found) > 1 {
		return nil, fmt.Errorf("endpoint %s: %d endpoints carry the Name tag %q; make it unique", name, len(found), name)
	}
	if len(found) == 0 {
		return nil, nil
	}
	return found[0], nil
}

func (r *reconciler) endpoints() error {
	for _, e := range r.t.Endpoints {
		svcID := r.svcIDs[e.Service]
		svc := r.s.EndpointService(svcID)
		vpcID, subnetID := r.vpcRef(e.Vpc), r.subnetRef(e.Subnet)
		have, err := r.endpointByName(e.Name)
		if err != nil {
			return err
		}
		if have != nil && (have.ServiceId != svcID || have.Endpoint.VpcId != vpcID || !slices.Equal(have.Endpoint.SubnetIds, []string{subnetID})) {
			// An endpoint's VPC, subnet and service are fixed: replace it.
			if _, err := r.s.DeleteVpcEndpoints(r.env, control.DeleteVpcEndpointsInput{VpcEndpointIds: []string{have.Endpoint.VpcEndpointId}}); err != nil {
				return wrap("endpoint", e.Name, err)
			}
			r.add(Delete, "endpoint", e.Name, "%s (replaced: vpc, subnet or service changed)", have.Endpoint.VpcEndpointId)
			have = nil
		}
		if have == nil {
			out, err := r.s.CreateVpcEndpoint(r.env, control.CreateVpcEndpointInput{
				VpcEndpointType: control.EndpointTypeGatewayLoadBalancer, VpcId: vpcID, ServiceName: svc.Service.ServiceName,
				SubnetIds: []string{subnetID}, TagSpecifications: tagSpec("vpc-endpoint", desiredTags(e.Tags, e.Name, true)),
			})
			if err != nil {
				return wrap("endpoint", e.Name, err)
			}
			have = r.s.Endpoint(out.VpcEndpoint.VpcEndpointId)
			r.add(Create, "endpoint", e.Name, "in %s (vpc %s) to %s", e.Subnet, e.Vpc, e.Service)
		} else if err := r.ec2Tags("endpoint", e.Name, have.Endpoint.VpcEndpointId, have.Endpoint.Tags, e.Tags); err != nil {
			return err
		}
		if e.Accept && have.Endpoint.State == control.EndpointStatePendingAcceptance {
			out, err := r.s.AcceptVpcEndpointConnections(r.env, control.AcceptVpcEndpointConnectionsInput{ServiceId: svcID, VpcEndpointIds: []string{have.Endpoint.VpcEndpointId}})
			if err == nil {
				err = out.Unsuccessful.Err("AcceptVpcEndpointConnections")
			}
			if err != nil {
				return wrap("endpoint", e.Name, err)
			}
			r.add(Update, "endpoint", e.Name, "accept connection")
		}
	}
	return nil
}

// --- deletions of managed resources the file no longer lists ------------------------

func (r *reconciler) deleteEndpoints() error {
	want := map[string]bool{}
	for _, e := range r.t.Endpoints {
		want[e.Name] = true
	}
	for _, e := range slices.Clone(r.s.Endpoints) {
		name := nameOf(e.Endpoint.Tags)
		if !managed(e.Endpoint.Tags) || want[name] {
			continue
		}
		out, err := r.s.DeleteVpcEndpoints(r.env, control.DeleteVpcEndpointsInput{VpcEndpointIds: []string{e.Endpoint.VpcEndpointId}})
		if err == nil {
			err = out.Unsuccessful.Err("DeleteVpcEndpoints")
		}
		if err != nil {
			return wrap("endpoint", name, err)
		}
		r.add(Delete, "endpoint", name, "%s", e.Endpoint.VpcEndpointId)
	}
	return nil
}

func (r *reconciler) deleteServices() error {
	want := map[string]bool{}
	for _, s := range r.t.EndpointServices {
		want[s.Name] = true
	}
	for _, s := range slices.Clone(r.s.EndpointServices) {
		name := nameOf(s.Service.Tags)
		if !managed(s.Service.Tags) || want[name] {
			continue
		}
		out, err := r.s.DeleteVpcEndpointServiceConfigurations(r.env, control.DeleteVpcEndpointServiceConfigurationsInput{ServiceIds: []string{s.Service.ServiceId}})
		if err == nil {
			err = out.Unsuccessful.Err("DeleteVpcEndpointServiceConfigurations")
		}
		if err != nil {
			return wrap("endpoint-service", name, err)
		}
		r.add(Delete, "endpoint-service", name, "%s", s.Service.ServiceId)
	}
	return nil
}

func (r *reconciler) deleteLoadBalancers() error {
	want := map[string]bool{}
	for _, lb := range r.t.LoadBalancers {
		want[lb.Name] = true
	}
	for _, lb := range slices.Clone(r.s.LoadBalancers) {
		name := lb.LoadBalancer.LoadBalancerName
		if !managed(lb.Tags) || want[name] {
			continue
		}
		if _, err := r.s.DeleteLoadBalancer(r.env, control.DeleteLoadBalancerInput{LoadBalancerArn: lb.LoadBalancer.LoadBalancerArn}); err != nil {
			return wrap("load-balancer", name, err)
		}
		r.add(Delete, "load-balancer", name, "")
	}
	return nil
}

func (r *reconciler) deleteTargetGroups() error {
	want := map[string]bool{}
	for _, g := range r.t.TargetGroups {
		want[g.Name] = true
	}
	for _, g := range slices.Clone(r.s.TargetGroups) {
		name := g.TargetGroup.TargetGroupName
		if !managed(g.Tags) || want[name] {
			continue
		}
		if _, err := r.s.DeleteTargetGroup(r.env, control.DeleteTargetGroupInput{TargetGroupArn: g.TargetGroup.TargetGroupArn}); err != nil {
			return wrap("target-group", name, err)
		}
		r.add(Delete, "target-group", name, "")
	}
	return nil
}

func (r *reconciler) deleteSubnets() error {
	want := map[string]bool{}
	for _, v := range r.t.Vpcs {
		for _, s := range v.Subnets {
			want[s.Name] = true
		}
	}
	for _, s := range slices.Clone(r.s.Subnets) {
		name := nameOf(s.Tags)
		if !managed(s.Tags) || want[name] {
			continue
		}
		if _, err := r.s.DeleteSubnet(r.env, control.DeleteSubnetInput{SubnetId: s.SubnetId}); err != nil {
			return wrap("subnet", name, err)
		}
		r.add(Delete, "subnet", name, "%s", s.SubnetId)
	}
	return nil
}

func (r *reconciler) deleteVpcs() error {
	want := map[string]bool{}
	for _, v := range r.t.Vpcs {
		want[v.Name] = true
	}
	for _, v := range slices.Clone(r.s.Vpcs) {
		name := nameOf(v.Tags)
		if !managed(v.Tags) || want[name] {
			continue
		}
		if _, err := r.s.DeleteVpc(r.env, control.DeleteVpcInput{VpcId: v.VpcId}); err != nil {
			return wrap("vpc", name, err)
		}
		r.add(Delete, "vpc", name, "%s", v.VpcId)
	}
	return nil
}
