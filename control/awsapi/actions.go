package awsapi

import (
	"reflect"
	"strings"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/store"
)

// actionTable is every action the API serves: its service, its name and
// the control operation behind it, the same method the CLI verb calls.
// Adding an action is one line here; `go generate ./control/awsapi` then
// embeds its part of the service model (New refuses an action the model
// lacks). Request parameters and response members are read and written
// from the model and the operation's Input and Output types, whose JSON
// names are AWS's member names.
var actionTable = []*action{
	elbv2("CreateLoadBalancer", (*control.State).CreateLoadBalancer),
	elbv2("DescribeLoadBalancers", (*control.State).DescribeLoadBalancers),
	elbv2("DeleteLoadBalancer", (*control.State).DeleteLoadBalancer),
	elbv2("DescribeLoadBalancerAttributes", (*control.State).DescribeLoadBalancerAttributes),
	elbv2("ModifyLoadBalancerAttributes", (*control.State).ModifyLoadBalancerAttributes),
	elbv2("CreateTargetGroup", (*control.State).CreateTargetGroup),
	elbv2("DescribeTargetGroups", (*control.State).DescribeTargetGroups),
	elbv2("ModifyTargetGroup", (*control.State).ModifyTargetGroup),
	elbv2("DeleteTargetGroup", (*control.State).DeleteTargetGroup),
	elbv2("DescribeTargetGroupAttributes", (*control.State).DescribeTargetGroupAttributes),
	elbv2("ModifyTargetGroupAttributes", (*control.State).ModifyTargetGroupAttributes),
	elbv2("RegisterTargets", (*control.State).RegisterTargets),
	elbv2("DeregisterTargets", (*control.State).DeregisterTargets),
	elbv2("DescribeTargetHealth", (*control.State).DescribeTargetHealth),
	elbv2("CreateListener", (*control.State).CreateListener),
	elbv2("DescribeListeners", (*control.State).DescribeListeners),
	elbv2("ModifyListener", (*control.State).ModifyListener),
	elbv2("DeleteListener", (*control.State).DeleteListener),
	elbv2("DescribeListenerAttributes", (*control.State).DescribeListenerAttributes),
	elbv2("ModifyListenerAttributes", (*control.State).ModifyListenerAttributes),
	elbv2("AddTags", (*control.State).AddTags),
	elbv2("RemoveTags", (*control.State).RemoveTags),
	elbv2("DescribeTags", (*control.State).DescribeTags),

	ec2("CreateVpc", (*control.State).CreateVpc),
	ec2("DescribeVpcs", (*control.State).DescribeVpcs),
	ec2("DeleteVpc", (*control.State).DeleteVpc),
	ec2("CreateSubnet", (*control.State).CreateSubnet),
	ec2("DescribeSubnets", (*control.State).DescribeSubnets),
	ec2("DeleteSubnet", (*control.State).DeleteSubnet),
	ec2("CreateVpcEndpointServiceConfiguration", (*control.State).CreateVpcEndpointServiceConfiguration),
	ec2("DescribeVpcEndpointServiceConfigurations", (*control.State).DescribeVpcEndpointServiceConfigurations),
	ec2("ModifyVpcEndpointServiceConfiguration", (*control.State).ModifyVpcEndpointServiceConfiguration),
	ec2("DeleteVpcEndpointServiceConfigurations", (*control.State).DeleteVpcEndpointServiceConfigurations),
	ec2("ModifyVpcEndpointServicePermissions", (*control.State).ModifyVpcEndpointServicePermissions),
	ec2("DescribeVpcEndpointServicePermissions", (*control.State).DescribeVpcEndpointServicePermissions),
	ec2("DescribeVpcEndpointServices", (*control.State).DescribeVpcEndpointServices),
	ec2("CreateVpcEndpoint", (*control.State).CreateVpcEndpoint),
	ec2("DescribeVpcEndpoints", (*control.State).DescribeVpcEndpoints),
	ec2("DeleteVpcEndpoints", (*control.State).DeleteVpcEndpoints),
	ec2("AcceptVpcEndpointConnections", (*control.State).AcceptVpcEndpointConnections),
	ec2("RejectVpcEndpointConnections", (*control.State).RejectVpcEndpointConnections),
	ec2("DescribeVpcEndpointConnections", (*control.State).DescribeVpcEndpointConnections),
	ec2("CreateRouteTable", (*control.State).CreateRouteTable),
	ec2("DescribeRouteTables", (*control.State).DescribeRouteTables),
	ec2("DeleteRouteTable", (*control.State).DeleteRouteTable),
	ec2("CreateRoute", (*control.State).CreateRoute),
	ec2("ReplaceRoute", (*control.State).ReplaceRoute),
	ec2("DeleteRoute", (*control.State).DeleteRoute),
	ec2("AssociateRouteTable", (*control.State).AssociateRouteTable),
	ec2("DisassociateRouteTable", (*control.State).DisassociateRouteTable),
	ec2("ReplaceRouteTableAssociation", (*control.State).ReplaceRouteTableAssociation),
	ec2("CreateInternetGateway", (*control.State).CreateInternetGateway),
	ec2("DescribeInternetGateways", (*control.State).DescribeInternetGateways),
	ec2("DeleteInternetGateway", (*control.State).DeleteInternetGateway),
	ec2("AttachInternetGateway", (*control.State).AttachInternetGateway),
	ec2("DetachInternetGateway", (*control.State).DetachInternetGateway),
	ec2("CreateTags", (*control.State).CreateTags),
	ec2("DeleteTags", (*control.State).DeleteTags),
	ec2("DescribeTags", (*control.State).DescribeTagsEC2),
}

// The services, by botocore's name: the name of their model files.
const (
	serviceELBv2 = "elbv2"
	serviceEC2   = "ec2"
)

// modelFile is the embedded model of each service, generated from
// botocore's data/<service>/<version>/service-2.json.
var modelFile = map[string]string{
	serviceELBv2: "elbv2-2015-12-01.json",
	serviceEC2:   "ec2-2016-11-15.json",
}

// action is one API action and how to run it.
type action struct {
	service string
	name    string
	// mutates: the action runs inside one locked store Update; read-only
	// actions (the Describe* ones) run inside a View.
	mutates       bool
	input, output reflect.Type
	// run executes the operation on in (an Input value) and returns its
	// *Output.
	run func(st store.Store, env control.Env, mutates bool, in any) (any, error)
}

func elbv2[I, O any](name string, op store.Operation[I, O]) *action {
	return newAction(serviceELBv2, name, op)
}

func ec2[I, O any](name string, op store.Operation[I, O]) *action {
	return newAction(serviceEC2, name, op)
}

func newAction[I, O any](service, name string, op store.Operation[I, O]) *action {
	return &action{
		service: service,
		name:    name,
		mutates: !strings.HasPrefix(name, "Describe"),
		input:   reflect.TypeFor[I](),
		output:  reflect.TypeFor[O](),
		run: func(st store.Store, env control.Env, mutates bool, in any) (any, error) {
			out, err := store.Run(st, env, name, mutates, op, in.(I))
			if err != nil {
				return nil, err
			}
			return out, nil
		},
	}
}

// Action names one action the API serves.
type Action struct {
	// Service is botocore's name of the service: "elbv2" or "ec2", the
	// name of the CLI's command group too.
	Service string
	// Name is the API action (CreateLoadBalancer), whose CLI verb is its
	// name in kebab case (create-load-balancer).
	Name string
}

// Actions lists every action the API serves, in the action table's order.
func Actions() []Action {
	out := make([]Action, len(actionTable))
	for i, a := range actionTable {
		out[i] = Action{Service: a.service, Name: a.name}
	}
	return out
}

// ModelOperations lists, per embedded model file, the operations the
// action table serves: what `go generate` keeps of botocore's models.
func ModelOperations() map[string][]string {
	out := map[string][]string{}
	for _, a := range actionTable {
		f := modelFile[a.service]
		out[f] = append(out[f], a.name)
	}
	return out
}
