// Package clitest holds what gwlbctl's command tests share: a factory over a
// temporary state store (a file, or a prefix of a real etcd) with captured
// output, a way to run one cobra command
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
	"github.com/gwlbctl/gwlbctl/control/store/etcdtest"
)

// Now is the fixed clock of every test factory.
var Now = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// Env is one test's temporary state store and a factory that uses it.
type Env struct {
	T testing.TB
	// StatePath is the store's location: a state file's path (New), or
	// an etcd location (NewEtcd); the state setting of a gwlbctl process
	// run against the same store.
	StatePath string
	// Store is the store; the factory hands it out.
	Store    store.Store
	Config   *cmdutil.Config
	Factory  *cmdutil.Factory
	Out, Err *bytes.Buffer

	// document reads the stored document (nil when there is none);
	// setDocument replaces it.
	document    func() []byte
	setDocument func([]byte)
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
	e := newEnv(t, path, st)
	e.document = func() []byte {
		b, err := os.ReadFile(path)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		return b
	}
	e.setDocument = func(b []byte) {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// NewEtcd is New on a fresh key prefix of a real etcd server.
func NewEtcd(t testing.TB, srv *etcdtest.Server) *Env {
	t.Helper()
	loc := srv.NewLocation(t)
	st, err := store.OpenEtcd(loc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	st.Now = func() time.Time { return Now }
	e := newEnv(t, loc, st)
	e.document = func() []byte { return srv.Get(t, st.Key()) }
	e.setDocument = func(b []byte) { srv.Put(t, st.Key(), b) }
	return e
}

func newEnv(t testing.TB, location string, st store.Store) *Env {
	io, _, out, errOut := cmdutil.TestIO()
	e := &Env{T: t, StatePath: location, Store: st, Out: out, Err: errOut,
		Config: &cmdutil.Config{State: location, Region: control.DefaultRegion, Account: control.DefaultAccount, Output: "json"}}
	e.Factory = &cmdutil.Factory{
		IOStreams: io,
		Config:    func() (*cmdutil.Config, error) { return e.Config, nil },
		Store:     func() (store.Store, error) { return e.Store, nil },
		Now:       func() time.Time { return Now },
	}
	return e
}

// Backend makes Envs on one kind of state store.
type Backend struct {
	Name string // "file" or "etcd"
	New  func(t testing.TB) *Env
}

// Backends are the state file and etcd, for suites that run on both. The
// etcd one uses a server started for t (stopped when t ends); without an
// etcd binary its Envs skip their test, saying what to install.
func Backends(t *testing.T) []Backend {
	t.Helper()
	etcd := Backend{Name: "etcd", New: func(t testing.TB) *Env {
		t.Skip("etcd not installed: install Debian's etcd-server package (make deps)")
		return nil
	}}
	if etcdtest.Binary() != "" {
		srv := etcdtest.Start(t)
		etcd.New = func(t testing.TB) *Env { return NewEtcd(t, srv) }
	}
	return []Backend{{Name: "file", New: New}, etcd}
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

// StateBytes returns the stored document: the state file's bytes, or the
// etcd key's value (nil when there is none).
func (e *Env) StateBytes() []byte { return e.document() }

// SetStateBytes replaces the stored document with b, bypassing the store
// (to plant a corrupted or foreign document).
func (e *Env) SetStateBytes(b []byte) { e.setDocument(b) }

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
