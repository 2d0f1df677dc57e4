// Package clitest holds what gwlbctl's command tests share: a factory over a
// temporary state file with captured output, a way to run one cobra command
// as the real command line does, and a seeded provider/consumer topology.
package clitest

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/store"
)

// Now is the fixed clock of every test factory.
var Now = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// Env is one test's temporary state file and a factory that uses it.
type Env struct {
	T         testing.TB
	StatePath string
	// Store is the state file; the factory hands it out as a store.Store.
	Store    *store.File
	Config   *cmdutil.Config
	Factory  *cmdutil.Factory
	Out, Err *bytes.Buffer
}

// New returns an Env with an empty state file path in t.TempDir(), json
// output, region us-east-1 and the default account.
func New(t testing.TB) *Env {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.json")
	st, err := store.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st.Now = func() time.Time { return Now }
	io, _, out, errOut := cmdutil.TestIO()
	e := &Env{T: t, StatePath: path, Store: st, Out: out, Err: errOut,
		Config: &cmdutil.Config{State: path, Region: control.DefaultRegion, Account: control.DefaultAccount, Output: "json"}}
	e.Factory = &cmdutil.Factory{
		IOStreams: io,
		Config:    func() (*cmdutil.Config, error) { return e.Config, nil },
		Store:     func() (store.Store, error) { return e.Store, nil },
		Now:       func() time.Time { return Now },
	}
	return e
}

// Exec runs cmd with args the way the real command line does (AWS list
// flags expanded, errors returned instead of printed).
func Exec(cmd *cobra.Command, args ...string) error {
	expanded, err := cmdutil.ExpandListArgs(cmd, args)
	if err != nil {
		return err
	}
	cmd.SetArgs(expanded)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	cmd.SilenceErrors = true
	cmd.SilenceUsage = true
	cmd.SetFlagErrorFunc(cmdutil.FlagErrorFunc)
	_, err = cmd.ExecuteContextC(context.Background())
	return err
}

// Run builds a command from f with the Env's factory and executes it.
func (e *Env) Run(newCmd func(*cmdutil.Factory) *cobra.Command, args ...string) error {
	e.Out.Reset()
	e.Err.Reset()
	return Exec(newCmd(e.Factory), args...)
}

// JSON decodes the captured stdout into v.
func (e *Env) JSON(v any) {
	e.T.Helper()
	if err := json.Unmarshal(e.Out.Bytes(), v); err != nil {
		e.T.Fatalf("stdout is not JSON: %v\n%s", err, e.Out.String())
	}
}

// State returns the current state.
func (e *Env) State() *control.State {
	e.T.Helper()
	var out *control.State
	if err := e.Store.View(func(s *control.State) error { out = s; return nil }); err != nil {
		e.T.Fatal(err)
	}
	return out
}

// StateBytes returns the state file's bytes (nil when it does not exist).
func (e *Env) StateBytes() []byte {
	b, err := os.ReadFile(e.StatePath)
	if err != nil && !os.IsNotExist(err) {
		e.T.Fatal(err)
	}
	return b
}

// Fixture names the resources Seed creates.
type Fixture struct {
	ProviderVpc, SubnetA, SubnetB     string // provider VPC, us-east-1a and us-east-1b
	ConsumerVpc, ConsumerA, ConsumerC string // consumer VPC (same CIDR), us-east-1a and us-east-1c
	LoadBalancerArn, TargetGroupArn   string
	ListenerArn                       string
	ServiceId, ServiceName            string
	EndpointId                        string // pendingAcceptance, in ConsumerA
	SpareTargetGroupArn               string // not used by any listener
	Extra                             string // set by a RunCase's Prepare
}

// Seed provisions a provider VPC with two zones, a gateway load balancer, an
// ip target group with two targets, a listener, an endpoint service that
// requires acceptance and one pending endpoint in a consumer VPC whose CIDR
// overlaps the provider's.
func (e *Env) Seed() Fixture {
	e.T.Helper()
	var fx Fixture
	env := e.Config.Env()
	env.Now = func() time.Time { return Now }
	_, err := e.Store.Update(func(s *control.State) error {
		step := func(err error) {
			if err != nil {
				e.T.Fatalf("seeding: %v", err)
			}
		}
		vpc, err := s.CreateVpc(env, control.CreateVpcInput{CidrBlock: "10.0.0.0/16"})
		step(err)
		fx.ProviderVpc = vpc.Vpc.VpcId
		sub := func(vpc, cidr, az string) string {
			out, err := s.CreateSubnet(env, control.CreateSubnetInput{VpcId: vpc, CidrBlock: cidr, AvailabilityZone: az})
			step(err)
			return out.Subnet.SubnetId
		}
		fx.SubnetA = sub(fx.ProviderVpc, "10.0.1.0/24", "us-east-1a")
		fx.SubnetB = sub(fx.ProviderVpc, "10.0.2.0/24", "us-east-1b")
		cvpc, err := s.CreateVpc(env, control.CreateVpcInput{CidrBlock: "10.0.0.0/16"})
		step(err)
		fx.ConsumerVpc = cvpc.Vpc.VpcId
		fx.ConsumerA = sub(fx.ConsumerVpc, "10.0.1.0/24", "us-east-1a")
		fx.ConsumerC = sub(fx.ConsumerVpc, "10.0.3.0/24", "us-east-1c")
		lb, err := s.CreateLoadBalancer(env, control.CreateLoadBalancerInput{Name: "my-gwlb", Type: "gateway", Subnets: []string{fx.SubnetA, fx.SubnetB}})
		step(err)
		fx.LoadBalancerArn = lb.LoadBalancers[0].LoadBalancerArn
		port := 6081
		tg, err := s.CreateTargetGroup(env, control.CreateTargetGroupInput{Name: "my-appliances", Protocol: "GENEVE", Port: &port, VpcId: fx.ProviderVpc, TargetType: "ip"})
		step(err)
		fx.TargetGroupArn = tg.TargetGroups[0].TargetGroupArn
		spare, err := s.CreateTargetGroup(env, control.CreateTargetGroupInput{Name: "spare", Protocol: "GENEVE", Port: &port, VpcId: fx.ProviderVpc, TargetType: "ip"})
		step(err)
		fx.SpareTargetGroupArn = spare.TargetGroups[0].TargetGroupArn
		_, err = s.RegisterTargets(env, control.RegisterTargetsInput{TargetGroupArn: fx.TargetGroupArn,
			Targets: []control.TargetDescription{{Id: "10.0.1.10"}, {Id: "10.0.2.10"}}})
		step(err)
		l, err := s.CreateListener(env, control.CreateListenerInput{LoadBalancerArn: fx.LoadBalancerArn,
			DefaultActions: []control.Action{{Type: "forward", TargetGroupArn: fx.TargetGroupArn}}})
		step(err)
		fx.ListenerArn = l.Listeners[0].ListenerArn
		yes := true
		svc, err := s.CreateVpcEndpointServiceConfiguration(env, control.CreateVpcEndpointServiceConfigurationInput{
			AcceptanceRequired: &yes, GatewayLoadBalancerArns: []string{fx.LoadBalancerArn}})
		step(err)
		fx.ServiceId, fx.ServiceName = svc.ServiceConfiguration.ServiceId, svc.ServiceConfiguration.ServiceName
		ep, err := s.CreateVpcEndpoint(env, control.CreateVpcEndpointInput{VpcEndpointType: "GatewayLoadBalancer",
			VpcId: fx.ConsumerVpc, ServiceName: fx.ServiceName, SubnetIds: []string{fx.ConsumerA}})
		step(err)
		fx.EndpointId = ep.VpcEndpoint.VpcEndpointId
		return nil
	})
	if err != nil {
		e.T.Fatalf("seeding: %v", err)
	}
	return fx
}
