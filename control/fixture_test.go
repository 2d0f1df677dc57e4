package control

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// fixture is a complete small deployment: a provider VPC with subnets in
// zones a, b and c, a load balancer in a and b, an ip target group with one
// target, a listener, an endpoint service that requires acceptance, and a
// consumer VPC with an endpoint (pendingAcceptance) in zone a.
type fixture struct {
	s   *State
	env Env
	now time.Time

	vpc, subA, subB, subC             string
	lbArn, lbName, tgArn, listenerArn string
	svcID, svcName                    string
	consumer, consA, consC, epID      string

	ingress *ingress // set by the route-table cases
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{s: &State{}, now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	f.env = Env{Region: "us-east-1", Account: "123456789012", Now: func() time.Time { return f.now }, Rand: &counterReader{}}
	s, env := f.s, f.env
	f.vpc = must(s.CreateVpc(env, CreateVpcInput{CidrBlock: "10.0.0.0/16"}))(t).Vpc.VpcId
	f.subA = must(s.CreateSubnet(env, CreateSubnetInput{VpcId: f.vpc, CidrBlock: "10.0.1.0/24", AvailabilityZone: "us-east-1a"}))(t).Subnet.SubnetId
	f.subB = must(s.CreateSubnet(env, CreateSubnetInput{VpcId: f.vpc, CidrBlock: "10.0.2.0/24", AvailabilityZone: "us-east-1b"}))(t).Subnet.SubnetId
	f.subC = must(s.CreateSubnet(env, CreateSubnetInput{VpcId: f.vpc, CidrBlock: "10.0.3.0/24", AvailabilityZone: "us-east-1c"}))(t).Subnet.SubnetId
	f.lbName = "gwlb"
	f.lbArn = must(s.CreateLoadBalancer(env, CreateLoadBalancerInput{Name: f.lbName, Type: "gateway", Subnets: []string{f.subA, f.subB}}))(t).LoadBalancers[0].LoadBalancerArn
	f.tgArn = must(s.CreateTargetGroup(env, CreateTargetGroupInput{Name: "appliances", Protocol: "GENEVE", Port: ptr(6081), VpcId: f.vpc, TargetType: "ip"}))(t).TargetGroups[0].TargetGroupArn
	must(s.RegisterTargets(env, RegisterTargetsInput{TargetGroupArn: f.tgArn, Targets: []TargetDescription{{Id: "10.0.1.10"}}}))(t)
	f.listenerArn = must(s.CreateListener(env, CreateListenerInput{LoadBalancerArn: f.lbArn, DefaultActions: []Action{{Type: "forward", TargetGroupArn: f.tgArn}}}))(t).Listeners[0].ListenerArn
	svc := must(s.CreateVpcEndpointServiceConfiguration(env, CreateVpcEndpointServiceConfigurationInput{AcceptanceRequired: ptr(true), GatewayLoadBalancerArns: []string{f.lbArn}}))(t).ServiceConfiguration
	f.svcID, f.svcName = svc.ServiceId, svc.ServiceName
	f.consumer = must(s.CreateVpc(env, CreateVpcInput{CidrBlock: "10.0.0.0/16"}))(t).Vpc.VpcId // overlaps the provider VPC
	f.consA = must(s.CreateSubnet(env, CreateSubnetInput{VpcId: f.consumer, CidrBlock: "10.0.1.0/24", AvailabilityZone: "us-east-1a"}))(t).Subnet.SubnetId
	f.consC = must(s.CreateSubnet(env, CreateSubnetInput{VpcId: f.consumer, CidrBlock: "10.0.3.0/24", AvailabilityZone: "us-east-1c"}))(t).Subnet.SubnetId
	f.epID = must(s.CreateVpcEndpoint(env, CreateVpcEndpointInput{VpcEndpointType: "GatewayLoadBalancer", VpcId: f.consumer, ServiceName: f.svcName, SubnetIds: []string{f.consA}}))(t).VpcEndpoint.VpcEndpointId
	return f
}

func stateJSON(t *testing.T, s *State) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// otherAccount is the env of a different caller account.
func (f *fixture) otherAccount() Env {
	e := f.env
	e.Account = "111122223333"
	return e
}

// fill adds n load balancers, target groups or targets to reach a quota.
func (f *fixture) fillLoadBalancers(t *testing.T, n int) {
	for i := range n {
		must(f.s.CreateLoadBalancer(f.env, CreateLoadBalancerInput{Name: fmt.Sprintf("fill-%d", i), Subnets: []string{f.subC}}))(t)
	}
}

func (f *fixture) fillTargetGroups(t *testing.T, n int) {
	for i := range n {
		must(f.s.CreateTargetGroup(f.env, CreateTargetGroupInput{Name: fmt.Sprintf("fill-%d", i), Protocol: "GENEVE", Port: ptr(6081), VpcId: f.vpc}))(t)
	}
}

// registerN registers n ip targets in zone (outside every subnet, so the
// zone is taken as given) starting at 172.16.<base>.1.
func (f *fixture) registerN(t *testing.T, tgArn, zone string, base, n int) {
	var ts []TargetDescription
	for i := range n {
		ts = append(ts, TargetDescription{Id: fmt.Sprintf("172.%d.%d.%d", 16+base, i/250, i%250+1), AvailabilityZone: zone})
	}
	must(f.s.RegisterTargets(f.env, RegisterTargetsInput{TargetGroupArn: tgArn, Targets: ts}))(t)
}

func (f *fixture) spareTargetGroup(t *testing.T) string {
	return must(f.s.CreateTargetGroup(f.env, CreateTargetGroupInput{Name: "spare", Protocol: "GENEVE", Port: ptr(6081), VpcId: f.vpc, TargetType: "ip"}))(t).TargetGroups[0].TargetGroupArn
}
