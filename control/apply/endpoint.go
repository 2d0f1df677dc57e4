package apply

import (
	"slices"

	"github.com/gwlbctl/gwlbctl/control"
)

// endpoints creates the topology's endpoints (replacing one whose VPC,
// subnet or service changed), updates tags and accepts connections.
func (r *reconciler) endpoints() error {
	for _, e := range r.t.Endpoints {
		svcID := r.svcIDs[e.Service]
		svc := r.s.EndpointService(svcID)
		vpcID, subnetID := r.vpcRef(e.Vpc), r.subnetRef(e.Subnet)
		have, err := byTagName(r.s.Endpoints, e.Name, "endpoint", "endpoints", endpointTags)
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
		r.epIDs[e.Name] = have.Endpoint.VpcEndpointId
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

func endpointTags(e *control.EndpointRecord) []control.Tag { return e.Endpoint.Tags }

// deleteEndpoints deletes the managed endpoints the topology no longer lists.
func (r *reconciler) deleteEndpoints() error {
	keep := names(r.t.Endpoints, func(e EndpointSpec) string { return e.Name })
	return prune(r, "endpoint", r.s.Endpoints, keep, endpointTags,
		func(e *control.EndpointRecord) string { return nameOf(e.Endpoint.Tags) },
		func(e *control.EndpointRecord) (string, error) {
			out, err := r.s.DeleteVpcEndpoints(r.env, control.DeleteVpcEndpointsInput{VpcEndpointIds: []string{e.Endpoint.VpcEndpointId}})
			if err == nil {
				err = out.Unsuccessful.Err("DeleteVpcEndpoints")
			}
			return e.Endpoint.VpcEndpointId, err
		})
}
