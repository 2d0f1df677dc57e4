package apply

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gwlbctl/gwlbctl/control"
)

// loadBalancers creates the topology's load balancers and brings the tags,
// attributes and listener of existing ones in line.
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

// listener creates, updates or deletes the one listener of a load balancer.
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

// deleteLoadBalancers deletes the managed load balancers the topology no
// longer lists.
func (r *reconciler) deleteLoadBalancers() error {
	keep := names(r.t.LoadBalancers, func(lb LoadBalancerSpec) string { return lb.Name })
	return prune(r, "load-balancer", r.s.LoadBalancers, keep,
		func(lb *control.LoadBalancerRecord) []control.Tag { return lb.Tags },
		func(lb *control.LoadBalancerRecord) string { return lb.LoadBalancer.LoadBalancerName },
		func(lb *control.LoadBalancerRecord) (string, error) {
			_, err := r.s.DeleteLoadBalancer(r.env, control.DeleteLoadBalancerInput{LoadBalancerArn: lb.LoadBalancer.LoadBalancerArn})
			return "", err
		})
}
