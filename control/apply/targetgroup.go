package apply

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gwlbctl/gwlbctl/control"
)

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

// targetGroups creates the topology's target groups and brings the health
// checks, attributes and tags of existing ones in line.
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

// deleteTargetGroups deletes the managed target groups the topology no
// longer lists.
func (r *reconciler) deleteTargetGroups() error {
	keep := names(r.t.TargetGroups, func(g TargetGroupSpec) string { return g.Name })
	return prune(r, "target-group", r.s.TargetGroups, keep,
		func(g *control.TargetGroupRecord) []control.Tag { return g.Tags },
		func(g *control.TargetGroupRecord) string { return g.TargetGroup.TargetGroupName },
		func(g *control.TargetGroupRecord) (string, error) {
			_, err := r.s.DeleteTargetGroup(r.env, control.DeleteTargetGroupInput{TargetGroupArn: g.TargetGroup.TargetGroupArn})
			return "", err
		})
}
