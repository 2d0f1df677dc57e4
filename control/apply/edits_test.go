package apply

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/store"
)

// TestEachKindOfEdit applies the example, then one edit at a time, and
// checks that each plans exactly the expected changes and that the state
// then matches (a second run is empty).
func TestEachKindOfEdit(t *testing.T) {
	_, raw := loadExample(t)
	env := testEnv()
	st, _ := store.Open(filepath.Join(t.TempDir(), "state.json"))
	base, _ := Parse(raw)
	applyFile(t, st, env, base)

	edits := []struct {
		name       string
		old, new   string
		want       []Change
		afterwards func(t *testing.T, s *control.State)
	}{
		{
			name: "health check",
			old:  "healthyThreshold: 3", new: "healthyThreshold: 4",
			want: []Change{{Action: Update, Kind: "target-group", Name: "appliances", Detail: "health check TCP:80 interval 10 timeout 5 thresholds 4/2"}},
			afterwards: func(t *testing.T, s *control.State) {
				if s.TargetGroupByName("appliances").TargetGroup.HealthyThresholdCount != 4 {
					t.Fatal("threshold not changed")
				}
			},
		},
		{
			name: "http health check",
			old:  "protocol: TCP\n      port: 80", new: "protocol: HTTP\n      port: 8080\n      path: /healthz",
			want: []Change{{Action: Update, Kind: "target-group", Name: "appliances", Detail: "health check HTTP:8080 interval 10 timeout 5 thresholds 4/2"}},
			afterwards: func(t *testing.T, s *control.State) {
				tg := s.TargetGroupByName("appliances").TargetGroup
				if tg.HealthCheckPath != "/healthz" || tg.Matcher == nil || tg.Matcher.HttpCode != "200-399" {
					t.Fatalf("http check %+v", tg)
				}
			},
		},
		{
			name: "listener idle timeout",
			old:  `tcp.idle_timeout.seconds: "350"`, new: `tcp.idle_timeout.seconds: "900"`,
			want: []Change{{Action: Update, Kind: "listener", Name: "inspection-gwlb", Detail: "attributes tcp.idle_timeout.seconds=900"}},
		},
		{
			name: "load balancer tag",
			old:  "team: netsec", new: "team: secops\n      cost: lab",
			want: []Change{{Action: Update, Kind: "load-balancer", Name: "inspection-gwlb", Detail: "tag cost=lab, tag team=secops"}},
		},
		{
			name: "principals and acceptance",
			old:  "acceptanceRequired: true\n    allowedPrincipals:\n      - arn:aws:iam::111122223333:root",
			new:  "acceptanceRequired: false\n    allowedPrincipals:\n      - \"*\"",
			want: []Change{
				{Action: Update, Kind: "endpoint-service", Name: "inspection-svc", Detail: "load balancers inspection-gwlb, acceptance required false"},
				{Action: Update, Kind: "endpoint-service", Name: "inspection-svc", Detail: "allow *, disallow arn:aws:iam::111122223333:root"},
			},
		},
		{
			name: "endpoint moves subnet (replaced)",
			old:  "subnets:\n      - {name: consumer-green-b, cidr: 192.168.1.0/24, zone: us-east-1b}",
			new:  "subnets:\n      - {name: consumer-green-b, cidr: 192.168.1.0/24, zone: us-east-1b}\n      - {name: consumer-green-a, cidr: 192.168.2.0/24, zone: us-east-1a}",
			want: []Change{{Action: Create, Kind: "subnet", Name: "consumer-green-a", Detail: "192.168.2.0/24 in us-east-1a (vpc consumer-green)"}},
		},
		{
			name: "endpoint to the new subnet",
			old:  "subnet: consumer-green-b", new: "subnet: consumer-green-a",
			afterwards: func(t *testing.T, s *control.State) {
				if len(s.Endpoints) != 2 {
					t.Fatalf("%d endpoints", len(s.Endpoints))
				}
			},
		},
		{
			name: "endpoint removed",
			old:  "  - name: gwlbe-green\n    vpc: consumer-green\n    subnet: consumer-green-a\n    service: inspection-svc\n    accept: true\n", new: "",
			afterwards: func(t *testing.T, s *control.State) {
				if len(s.Endpoints) != 1 {
					t.Fatalf("%d endpoints", len(s.Endpoints))
				}
			},
		},
	}
	cur := string(raw)
	for _, e := range edits {
		t.Run(e.name, func(t *testing.T) {
			next := strings.Replace(cur, e.old, e.new, 1)
			if next == cur {
				t.Fatalf("edit %q not found in the file", e.old)
			}
			cur = next
			topo, err := Parse([]byte(cur))
			if err != nil {
				t.Fatal(err)
			}
			plan := applyFile(t, st, env, topo)
			if plan.Empty() {
				t.Fatal("edit planned nothing")
			}
			if e.want != nil && !reflect.DeepEqual(plan.Changes, e.want) {
				t.Fatalf("plan\n%s\nwant %+v", plan, e.want)
			}
			if again := applyFile(t, st, env, topo); !again.Empty() {
				t.Fatalf("second run not empty:\n%s", again)
			}
			if e.afterwards != nil {
				s, _, _ := st.Snapshot()
				e.afterwards(t, s)
			}
		})
	}
}

func TestListenerSwitchesTargetGroup(t *testing.T) {
	_, raw := loadExample(t)
	env := testEnv()
	st, _ := store.Open(filepath.Join(t.TempDir(), "state.json"))
	base, _ := Parse(raw)
	applyFile(t, st, env, base)
	edited := strings.Replace(string(raw), "targetGroups:\n", "targetGroups:\n  - name: appliances-v2\n    vpc: inspection\n    targets: [{id: 10.0.1.20}]\n", 1)
	edited = strings.Replace(edited, "targetGroup: appliances", "targetGroup: appliances-v2", 1)
	topo, err := Parse([]byte(edited))
	if err != nil {
		t.Fatal(err)
	}
	plan := applyFile(t, st, env, topo)
	if !strings.Contains(plan.String(), "~ update listener inspection-gwlb: forward to appliances-v2") {
		t.Fatalf("plan:\n%s", plan)
	}
	// Dropping the old group from the file deletes it: no listener uses it now.
	edited2 := strings.Replace(edited, "  - name: appliances\n    vpc: inspection\n", "  - name: unused-placeholder\n    vpc: inspection\n", 1)
	topo2, err := Parse([]byte(edited2))
	if err != nil {
		t.Fatal(err)
	}
	plan2 := applyFile(t, st, env, topo2)
	if !strings.Contains(plan2.String(), "- delete target-group appliances") || !strings.Contains(plan2.String(), "+ create target-group unused-placeholder") {
		t.Fatalf("plan:\n%s", plan2)
	}
}
