package apply

import (
	"os"
	"testing"

	"github.com/gwlbctl/gwlbctl/control"
)

// FuzzPlan: any YAML either fails to parse with an error, or plans (and
// maybe fails) against an empty state without panicking.
func FuzzPlan(f *testing.F) {
	if b, err := os.ReadFile("../../configs/topology.yaml"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("vpcs:\n  - {name: a, cidr: 10.0.0.0/16, subnets: [{name: s, cidr: 10.0.0.0/24, zone: us-east-1a}]}\nloadBalancers:\n  - {name: lb, subnets: [s]}\n"))
	f.Add([]byte("targetGroups:\n  - {name: t, vpc: vpc-0123, targets: [{id: 1.2.3.4}]}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		topo, err := Parse(b)
		if err != nil {
			if topo != nil {
				t.Fatal("topology returned with an error")
			}
			return
		}
		PlanFor(&control.State{}, testEnv(), topo)
	})
}
