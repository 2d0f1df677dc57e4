package apply

import (
	"slices"
	"strings"

	"github.com/gwlbctl/gwlbctl/control"
)

// services creates the topology's endpoint services and brings the load
// balancers, acceptance, tags and allowed principals of existing ones in line.
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
		have, err := byTagName(r.s.EndpointServices, sv.Name, "endpoint-service", "services", serviceTags)
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

func serviceTags(s *control.EndpointServiceRecord) []control.Tag { return s.Service.Tags }

// deleteServices deletes the managed endpoint services the topology no
// longer lists.
func (r *reconciler) deleteServices() error {
	keep := names(r.t.EndpointServices, func(s ServiceSpec) string { return s.Name })
	return prune(r, "endpoint-service", r.s.EndpointServices, keep, serviceTags,
		func(s *control.EndpointServiceRecord) string { return nameOf(s.Service.Tags) },
		func(s *control.EndpointServiceRecord) (string, error) {
			out, err := r.s.DeleteVpcEndpointServiceConfigurations(r.env, control.DeleteVpcEndpointServiceConfigurationsInput{ServiceIds: []string{s.Service.ServiceId}})
			if err == nil {
				err = out.Unsuccessful.Err("DeleteVpcEndpointServiceConfigurations")
			}
			return s.Service.ServiceId, err
		})
}
