package apply

import (
	"fmt"
	"strings"

	"github.com/gwlbctl/gwlbctl/control"
)

// Action is what a Change does.
type Action string

// Actions of a plan.
const (
	Create Action = "create"
	Update Action = "update"
	Delete Action = "delete"
)

// Change is one step of a plan.
type Change struct {
	Action Action `json:"Action"`
	// Kind is vpc, subnet, target-group, targets, load-balancer, listener,
	// endpoint-service, endpoint, internet-gateway or route-table.
	Kind   string `json:"Kind"`
	Name   string `json:"Name"`
	Detail string `json:"Detail,omitempty"`
}

// Plan is the ordered list of changes that brings a state to a topology.
type Plan struct {
	Changes []Change `json:"Changes"`
}

// Empty reports whether the state already matches the topology.
func (p Plan) Empty() bool { return len(p.Changes) == 0 }

// String renders the plan for people: one line per change, "+" create,
// "~" update, "-" delete; or "No changes." when there is nothing to do.
func (p Plan) String() string {
	if p.Empty() {
		return "No changes. The state matches the topology.\n"
	}
	var b strings.Builder
	n := map[Action]int{}
	for _, c := range p.Changes {
		sign := map[Action]string{Create: "+", Update: "~", Delete: "-"}[c.Action]
		fmt.Fprintf(&b, "%s %s %s %s", sign, c.Action, c.Kind, c.Name)
		if c.Detail != "" {
			fmt.Fprintf(&b, ": %s", c.Detail)
		}
		b.WriteByte('\n')
		n[c.Action]++
	}
	fmt.Fprintf(&b, "Plan: %d to create, %d to update, %d to delete.\n", n[Create], n[Update], n[Delete])
	return b.String()
}

// PlanFor computes the changes Apply would make, without touching st: it
// runs the reconciliation on a copy, so the plan has gone through the same
// validation as the real run.
func PlanFor(st *control.State, env control.Env, t *Topology) (Plan, error) {
	return reconcile(st.Clone(), env, t)
}

// Apply changes st to match t through the control operations and returns
// what it did. On error st may be partly changed: run it inside one
// store.Update, which then writes nothing, so an apply is all-or-nothing.
func Apply(st *control.State, env control.Env, t *Topology) (Plan, error) {
	return reconcile(st, env, t)
}

type reconciler struct {
	s    *control.State
	env  control.Env
	t    *Topology
	plan Plan

	vpcIDs    map[string]string
	subnetIDs map[string]string
	tgArns    map[string]string
	lbArns    map[string]string
	svcIDs    map[string]string
	epIDs     map[string]string
	igwIDs    map[string]string
}

func reconcile(st *control.State, env control.Env, t *Topology) (Plan, error) {
	if err := t.Check(); err != nil {
		return Plan{}, err
	}
	if t.Region != "" && t.Region != env.Region {
		return Plan{}, fmt.Errorf("the topology is for region %s but gwlbctl acts in %s (set --region or GWLBCTL_REGION)", t.Region, env.Region)
	}
	r := &reconciler{s: st, env: env, t: t, plan: Plan{Changes: []Change{}},
		vpcIDs: map[string]string{}, subnetIDs: map[string]string{}, tgArns: map[string]string{},
		lbArns: map[string]string{}, svcIDs: map[string]string{}, epIDs: map[string]string{}, igwIDs: map[string]string{}}
	for _, step := range []func() error{
		r.deleteRouteTables, r.deleteEndpoints, r.deleteServices, r.deleteInternetGateways,
		r.vpcs, r.internetGateways, r.targetGroups, r.loadBalancers, r.targets, r.services, r.endpoints, r.routeTables,
		r.deleteLoadBalancers, r.deleteTargetGroups, r.deleteSubnets, r.deleteVpcs,
	} {
		if err := step(); err != nil {
			return r.plan, err
		}
	}
	return r.plan, nil
}

func (r *reconciler) add(a Action, kind, name, format string, args ...any) {
	r.plan.Changes = append(r.plan.Changes, Change{Action: a, Kind: kind, Name: name, Detail: fmt.Sprintf(format, args...)})
}

func wrap(kind, name string, err error) error {
	return fmt.Errorf("%s %s: %w", kind, name, err)
}
