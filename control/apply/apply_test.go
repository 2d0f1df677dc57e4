package apply

import (
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/store"
)

type seqReader struct{ n byte }

func (r *seqReader) Read(p []byte) (int, error) {
	for i := range p {
		r.n++
		p[i] = r.n
	}
	return len(p), nil
}

var now = time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)

func testEnv() control.Env {
	return control.Env{Region: "us-east-1", Account: "123456789012", Now: func() time.Time { return now }, Rand: &seqReader{}}
}

func loadExample(t *testing.T) (*Topology, []byte) {
	t.Helper()
	b, err := os.ReadFile("../../configs/topology.yaml")
	if err != nil {
		t.Fatal(err)
	}
	topo, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return topo, b
}

// revision is the store's current revision.
func revision(t *testing.T, st store.Store) uint64 {
	t.Helper()
	_, v, err := st.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	return v.Revision
}

// applyFile runs one apply inside one store update, as the command does.
func applyFile(t *testing.T, st store.Store, env control.Env, topo *Topology) Plan {
	t.Helper()
	var plan Plan
	_, err := st.Update(func(s *control.State) error {
		var err error
		plan, err = Apply(s, env, topo)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

func TestExampleTopologyRoundTrip(t *testing.T) {
	topo, raw := loadExample(t)
	st, _ := store.Open(filepath.Join(t.TempDir(), "state.json"))
	env := testEnv()

	// Dry run: a plan, and nothing written.
	var dry Plan
	if err := st.View(func(s *control.State) error {
		var err error
		dry, err = PlanFor(s, env, topo)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if rev := revision(t, st); rev != 0 {
		t.Fatal("a dry run wrote the state")
	}

	first := applyFile(t, st, env, topo)
	if len(first.Changes) != len(dry.Changes) {
		t.Fatalf("dry run planned %d changes, apply made %d:\n%s\n%s", len(dry.Changes), len(first.Changes), dry, first)
	}
	creates := map[string]int{}
	for _, c := range first.Changes {
		if c.Action == Create {
			creates[c.Kind]++
		}
	}
	want := map[string]int{"vpc": 3, "subnet": 5, "target-group": 1, "load-balancer": 1, "listener": 1, "endpoint-service": 1, "endpoint": 2, "internet-gateway": 1, "route-table": 3}
	if !reflect.DeepEqual(creates, want) {
		t.Fatalf("creates = %v, want %v\n%s", creates, want, first)
	}

	s, _, _ := st.Snapshot()
	// Two consumer VPCs with the same CIDR, each with an accepted endpoint.
	var consumers []string
	for _, v := range s.Vpcs {
		if v.CidrBlock == "192.168.0.0/16" {
			consumers = append(consumers, v.VpcId)
		}
	}
	if len(consumers) != 2 {
		t.Fatalf("want 2 overlapping consumer VPCs, got %v", consumers)
	}
	if len(s.Endpoints) != 2 {
		t.Fatalf("want 2 endpoints, got %d", len(s.Endpoints))
	}
	for _, e := range s.Endpoints {
		if e.Endpoint.State != control.EndpointStateAvailable {
			t.Errorf("endpoint %s is %s, want available (accept: true)", e.Endpoint.VpcEndpointId, e.Endpoint.State)
		}
		if v, _ := control.TagValue(e.Endpoint.Tags, ManagedByKey); v != ManagedByValue {
			t.Errorf("endpoint %s lacks the managed-by tag", e.Endpoint.VpcEndpointId)
		}
	}
	tg := s.TargetGroupByName("appliances")
	if len(tg.Targets) != 2 || tg.Targets[0].Target.AvailabilityZone != "us-east-1a" || tg.Targets[1].Target.AvailabilityZone != "us-east-1b" {
		t.Fatalf("targets = %+v", tg.Targets)
	}
	if tg.Attribute(control.AttrFailoverOnUnhealthy) != "rebalance" || tg.TargetGroup.HealthyThresholdCount != 3 {
		t.Fatalf("target group settings not applied: %+v %+v", tg.Attributes, tg.TargetGroup)
	}
	svc := s.EndpointServices[0]
	if !svc.Service.AcceptanceRequired || len(svc.AllowedPrincipals) != 1 {
		t.Fatalf("service = %+v", svc)
	}
	// consumer-blue routes as the getting-started guide's step 4.
	checkBlueRouting(t, s)

	// Second apply of the same file: nothing to do, and says so.
	rev1 := revision(t, st)
	second := applyFile(t, st, env, topo)
	if !second.Empty() || !strings.Contains(second.String(), "No changes") {
		t.Fatalf("second apply planned changes:\n%s", second)
	}
	before, _, _ := st.Snapshot()
	_ = rev1

	// Edit: deregister one appliance and flip cross-zone.
	edited := strings.Replace(string(raw), "      - id: 10.0.2.10 # zone derived from subnet inspection-b\n", "", 1)
	edited = strings.Replace(edited, `load_balancing.cross_zone.enabled: "false"`, `load_balancing.cross_zone.enabled: "true"`, 1)
	if edited == string(raw) {
		t.Fatal("test edit did not apply")
	}
	topo2, err := Parse([]byte(edited))
	if err != nil {
		t.Fatal(err)
	}
	third := applyFile(t, st, env, topo2)
	wantChanges := []Change{
		{Action: Update, Kind: "load-balancer", Name: "inspection-gwlb", Detail: "attributes load_balancing.cross_zone.enabled=true"},
		{Action: Update, Kind: "targets", Name: "appliances", Detail: "deregister 10.0.2.10"},
	}
	if !reflect.DeepEqual(third.Changes, wantChanges) {
		t.Fatalf("edit applied\n%s\nwant exactly\n%v", third, wantChanges)
	}
	after, _, _ := st.Snapshot()
	lb := after.LoadBalancerByName("inspection-gwlb")
	if lb.Attribute(control.AttrCrossZoneEnabled) != "true" {
		t.Fatal("cross-zone not enabled")
	}
	rt := after.TargetGroupByName("appliances").Target("10.0.2.10")
	if rt == nil || !rt.Draining(now) {
		t.Fatalf("deregistered target should be draining: %+v", rt)
	}
	// Nothing else moved: same VPCs, endpoints, services, listener.
	if len(after.Vpcs) != len(before.Vpcs) || len(after.Endpoints) != len(before.Endpoints) || after.Listeners[0].Listener.ListenerArn != before.Listeners[0].Listener.ListenerArn {
		t.Fatal("unrelated resources changed")
	}
	// And applying the edited file again is a no-op too.
	if p := applyFile(t, st, env, topo2); !p.Empty() {
		t.Fatalf("re-apply of edited file planned:\n%s", p)
	}
}

func TestHandMadeResourcesAreNeverDeleted(t *testing.T) {
	topo, _ := loadExample(t)
	st, _ := store.Open(filepath.Join(t.TempDir(), "state.json"))
	env := testEnv()
	applyFile(t, st, env, topo)
	var handVpc string
	if _, err := st.Update(func(s *control.State) error {
		out, err := s.CreateVpc(env, control.CreateVpcInput{CidrBlock: "172.16.0.0/16"})
		handVpc = out.Vpc.VpcId
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// An empty topology deletes everything apply manages, and only that.
	plan := applyFile(t, st, env, &Topology{})
	s, _, _ := st.Snapshot()
	if len(s.Vpcs) != 1 || s.Vpcs[0].VpcId != handVpc {
		t.Fatalf("after emptying the topology VPCs = %+v\n%s", s.Vpcs, plan)
	}
	if len(s.LoadBalancers)+len(s.TargetGroups)+len(s.EndpointServices)+len(s.Endpoints)+len(s.Subnets)+len(s.Listeners) != 0 {
		t.Fatalf("managed resources left:\n%s", plan)
	}
}

func TestFailedApplyChangesNothing(t *testing.T) {
	topo, raw := loadExample(t)
	path := filepath.Join(t.TempDir(), "state.json")
	st, _ := store.Open(path)
	env := testEnv()
	applyFile(t, st, env, topo)
	before, _ := os.ReadFile(path)
	// Valid YAML and references, but a health-check timeout above the
	// interval: the target group update fails after earlier steps ran.
	bad := strings.Replace(string(raw), "timeoutSeconds: 5", "timeoutSeconds: 20", 1)
	bad = strings.Replace(bad, "team: netsec", "team: changed", 1)
	topo2, err := Parse([]byte(bad))
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.Update(func(s *control.State) error { _, err := Apply(s, env, topo2); return err })
	if control.ErrorCode(err) != control.CodeValidationError || !strings.Contains(err.Error(), "target-group appliances") {
		t.Fatalf("err = %v, want ValidationError naming the target group", err)
	}
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Fatal("a failed apply changed the state file")
	}
}

func TestTopologyCheck(t *testing.T) {
	for name, tc := range map[string]struct{ yaml, want string }{
		"unknown key":      {"vpcs:\n  - name: a\n    cidr: 10.0.0.0/16\n    cidrs: x\n", "field cidrs not found"},
		"dup vpc":          {"vpcs:\n  - {name: a, cidr: 10.0.0.0/16}\n  - {name: a, cidr: 10.1.0.0/16}\n", `vpc "a" is defined twice`},
		"unknown subnet":   {"loadBalancers:\n  - name: lb\n    subnets: [nope]\n", `subnet "nope" is not defined`},
		"unknown tg":       {"loadBalancers:\n  - name: lb\n    subnets: [subnet-0123]\n    listener: {targetGroup: x}\n", `listener target group "x"`},
		"endpoint subnet":  {"vpcs:\n  - {name: a, cidr: 10.0.0.0/16, subnets: [{name: s, cidr: 10.0.0.0/24, zone: us-east-1a}]}\n  - {name: b, cidr: 10.1.0.0/16}\nendpoints:\n  - {name: e, vpc: b, subnet: s, service: x}\n", `belongs to vpc "a"`},
		"service needs lb": {"endpointServices:\n  - {name: s}\n", "loadBalancers is required"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestRegionGuard(t *testing.T) {
	env := testEnv()
	env.Region = "eu-west-1"
	_, err := PlanFor(&control.State{}, env, &Topology{Region: "us-east-1"})
	if err == nil || !strings.Contains(err.Error(), "--region") {
		t.Fatalf("err = %v", err)
	}
}

func TestRunWritesOnlyWhenSomethingChanges(t *testing.T) {
	topo, _ := loadExample(t)
	st, _ := store.Open(filepath.Join(t.TempDir(), "state.json"))
	env := testEnv()
	dry, err := Run(st, env, topo, true)
	if err != nil || dry.Empty() {
		t.Fatalf("dry run: %v\n%s", err, dry)
	}
	if rev := revision(t, st); rev != 0 {
		t.Fatalf("dry run wrote revision %d", rev)
	}
	if _, err := Run(st, env, topo, false); err != nil {
		t.Fatal(err)
	}
	rev := revision(t, st)
	again, err := Run(st, env, topo, false)
	if err != nil || !again.Empty() {
		t.Fatalf("second run: %v\n%s", err, again)
	}
	if rev2 := revision(t, st); rev2 != rev {
		t.Fatalf("an empty plan moved the revision from %d to %d", rev, rev2)
	}
	if dry2, _ := Run(st, env, topo, true); !dry2.Empty() {
		t.Fatalf("dry run after apply:\n%s", dry2)
	}
}

// Every example topology in configs/ applies cleanly and is idempotent.
func TestEveryExampleTopology(t *testing.T) {
	files, _ := filepath.Glob("../../configs/topology*.yaml")
	if len(files) < 2 {
		t.Fatalf("examples found: %v", files)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			topo, err := Load(file)
			if err != nil {
				t.Fatal(err)
			}
			st, _ := store.Open(filepath.Join(t.TempDir(), "state.json"))
			if p, err := Run(st, testEnv(), topo, false); err != nil || p.Empty() {
				t.Fatalf("first apply: %v\n%s", err, p)
			}
			if p, err := Run(st, testEnv(), topo, false); err != nil || !p.Empty() {
				t.Fatalf("second apply: %v\n%s", err, p)
			}
			s, _, _ := st.Snapshot()
			for _, e := range s.Endpoints {
				if e.Endpoint.State != control.EndpointStateAvailable {
					t.Errorf("endpoint %s is %s", nameOf(e.Endpoint.Tags), e.Endpoint.State)
				}
			}
		})
	}
}

// checkBlueRouting checks consumer-blue's routing of configs/topology.yaml:
// the application subnet out through the endpoint, the endpoint subnet to
// the internet gateway, the gateway's traffic for the application subnet
// through the endpoint.
func checkBlueRouting(t *testing.T, s *control.State) {
	t.Helper()
	subnet := func(name string) string {
		for _, sn := range s.Subnets {
			if nameOf(sn.Tags) == name {
				return sn.SubnetId
			}
		}
		t.Fatalf("no subnet %s", name)
		return ""
	}
	var ep, igw string
	for _, e := range s.Endpoints {
		if nameOf(e.Endpoint.Tags) == "gwlbe-blue" {
			ep = e.Endpoint.VpcEndpointId
		}
	}
	for _, g := range s.InternetGateways {
		if nameOf(g.Tags) == "consumer-blue-igw" {
			igw = g.InternetGatewayId
		}
	}
	internet := netip.MustParseAddr("198.51.100.1")
	if m, ok, err := s.SubnetRoute(subnet("consumer-blue-app"), internet); err != nil || !ok || m.Route.GatewayId != ep {
		t.Fatalf("app subnet: %+v %v %v (endpoint %s)", m, ok, err, ep)
	}
	if m, ok, _ := s.SubnetRoute(subnet("consumer-blue-a"), internet); !ok || m.Route.GatewayId != igw {
		t.Fatalf("endpoint subnet: %+v (gateway %s)", m, igw)
	}
	if m, ok := s.GatewayRoute(igw, netip.MustParseAddr("192.168.2.7")); !ok || m.Route.GatewayId != ep {
		t.Fatalf("edge route: %+v %v", m, ok)
	}
}

// TestRouteTablesPruned: route tables and gateways dropped from the file
// are disassociated and deleted; the routes of a kept table follow it.
func TestRouteTablesPruned(t *testing.T) {
	topo, raw := loadExample(t)
	st, _ := store.Open(filepath.Join(t.TempDir(), "state.json"))
	env := testEnv()
	applyFile(t, st, env, topo)
	cut := string(raw)[:strings.Index(string(raw), "\ninternetGateways:")]
	cut += "\nrouteTables:\n  - name: blue-app\n    vpc: consumer-blue\n    routes:\n      - {destination: 10.9.0.0/16, endpoint: gwlbe-blue}\n    subnets: [consumer-blue-app]\n"
	topo2, err := Parse([]byte(cut))
	if err != nil {
		t.Fatal(err)
	}
	plan := applyFile(t, st, env, topo2)
	s, _, _ := st.Snapshot()
	if len(s.InternetGateways) != 0 {
		t.Fatalf("gateway not deleted:\n%s", plan)
	}
	var names []string
	for _, rt := range s.RouteTables {
		if n := nameOf(rt.Tags); n != "" {
			names = append(names, n)
			if len(rt.Routes) != 2 || rt.Routes[1].DestinationCidrBlock != "10.9.0.0/16" {
				t.Fatalf("blue-app routes: %+v\n%s", rt.Routes, plan)
			}
		}
	}
	if !reflect.DeepEqual(names, []string{"blue-app"}) {
		t.Fatalf("route tables left: %v\n%s", names, plan)
	}
	if again := applyFile(t, st, env, topo2); !again.Empty() {
		t.Fatalf("second apply:\n%s", again)
	}
}
