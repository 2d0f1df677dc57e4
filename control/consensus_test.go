package control

import (
	"testing"
	"time"
)

// TestConsensusHealth: one case per branch of the rule, and every way a
// view can fail to count.
func TestConsensusHealth(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	const a, b = "us-east-1a", "us-east-1b"
	view := func(node, zone, state string, at int) NodeHealthView {
		v := NodeHealthView{Node: node, Zone: zone, Live: true, State: state, ObservedAt: t0.Add(time.Duration(at) * time.Second)}
		switch state {
		case TargetHealthUnhealthy:
			v.Reason, v.Description = ReasonFailedHealthChecks, "seen by "+node
		case TargetHealthInitial:
			v.Reason, v.Description = ReasonInitialHealthChecking, "seen by "+node
		}
		return v
	}
	dead := func(v NodeHealthView) NodeHealthView { v.Live = false; return v }
	type want struct {
		state, reason, desc string
		voters, agree       int
		zone                string
	}
	for _, c := range []struct {
		name  string
		zone  string
		views []NodeHealthView
		want  want
	}{
		{"no views", a, nil, want{zone: ZoneAll}},
		{"only dead nodes", a, []NodeHealthView{dead(view("n1", a, TargetHealthHealthy, 0))}, want{zone: ZoneAll}},
		{"one node healthy", a, []NodeHealthView{view("n1", a, TargetHealthHealthy, 0)},
			want{TargetHealthHealthy, "", "", 1, 1, a}},
		{"one node unhealthy is a majority of one", a, []NodeHealthView{view("n1", a, TargetHealthUnhealthy, 0)},
			want{TargetHealthUnhealthy, ReasonFailedHealthChecks, "seen by n1", 1, 1, a}},
		{"one of two unhealthy is no majority", a, []NodeHealthView{
			view("n1", a, TargetHealthUnhealthy, 0), view("n2", a, TargetHealthHealthy, 0)},
			want{TargetHealthHealthy, "", "", 2, 1, a}},
		{"two of two unhealthy", a, []NodeHealthView{
			view("n1", a, TargetHealthUnhealthy, 1), view("n2", a, TargetHealthUnhealthy, 2)},
			want{TargetHealthUnhealthy, ReasonFailedHealthChecks, "seen by n2", 2, 2, a}},
		{"two of three unhealthy", a, []NodeHealthView{
			view("n1", a, TargetHealthUnhealthy, 0), view("n2", a, TargetHealthUnhealthy, 0), view("n3", a, TargetHealthHealthy, 0)},
			want{TargetHealthUnhealthy, ReasonFailedHealthChecks, "seen by n1", 3, 2, a}},
		{"two of four unhealthy is no majority", a, []NodeHealthView{
			view("n1", a, TargetHealthUnhealthy, 0), view("n2", a, TargetHealthUnhealthy, 0),
			view("n3", a, TargetHealthHealthy, 0), view("n4", a, TargetHealthInitial, 0)},
			want{TargetHealthHealthy, "", "", 4, 1, a}},
		{"the dead node's unhealthy view stops counting", a, []NodeHealthView{
			view("n1", a, TargetHealthHealthy, 0), dead(view("n2", a, TargetHealthUnhealthy, 0)), dead(view("n3", a, TargetHealthUnhealthy, 0))},
			want{TargetHealthHealthy, "", "", 1, 1, a}},
		{"a dead node's healthy view does not save the target", a, []NodeHealthView{
			view("n1", a, TargetHealthUnhealthy, 0), dead(view("n2", a, TargetHealthHealthy, 0))},
			want{TargetHealthUnhealthy, ReasonFailedHealthChecks, "seen by n1", 1, 1, a}},
		{"other zones' nodes do not vote", a, []NodeHealthView{
			view("n1", a, TargetHealthHealthy, 0), view("n2", b, TargetHealthUnhealthy, 0), view("n3", b, TargetHealthUnhealthy, 0)},
			want{TargetHealthHealthy, "", "", 1, 1, a}},
		{"no node in the target's zone: every live node votes", a, []NodeHealthView{
			view("n2", b, TargetHealthUnhealthy, 0), view("n3", b, TargetHealthUnhealthy, 0), dead(view("n1", a, TargetHealthHealthy, 0))},
			want{TargetHealthUnhealthy, ReasonFailedHealthChecks, "seen by n2", 2, 2, ZoneAll}},
		{"zone all: every live node votes", ZoneAll, []NodeHealthView{
			view("n1", a, TargetHealthUnhealthy, 0), view("n2", b, TargetHealthHealthy, 0)},
			want{TargetHealthHealthy, "", "", 2, 1, ZoneAll}},
		{"empty zone: every live node votes", "", []NodeHealthView{
			view("n1", a, TargetHealthUnhealthy, 0), view("n2", b, TargetHealthUnhealthy, 0)},
			want{TargetHealthUnhealthy, ReasonFailedHealthChecks, "seen by n1", 2, 2, ZoneAll}},
		{"a node's latest view counts, once", a, []NodeHealthView{
			view("n1", a, TargetHealthUnhealthy, 1), view("n1", a, TargetHealthHealthy, 5), view("n1", a, TargetHealthUnhealthy, 3),
			view("n2", a, TargetHealthUnhealthy, 0)},
			want{TargetHealthHealthy, "", "", 2, 1, a}},
		{"still checking: initial", a, []NodeHealthView{view("n1", a, TargetHealthInitial, 0), view("n2", a, TargetHealthInitial, 4)},
			want{TargetHealthInitial, ReasonInitialHealthChecking, "seen by n2", 2, 2, a}},
		{"one unhealthy, one initial: tie to initial", a, []NodeHealthView{
			view("n1", a, TargetHealthUnhealthy, 0), view("n2", a, TargetHealthInitial, 0)},
			want{TargetHealthInitial, ReasonInitialHealthChecking, "seen by n2", 2, 1, a}},
		{"two unhealthy of four, two initial: tie to initial", a, []NodeHealthView{
			view("n1", a, TargetHealthUnhealthy, 0), view("n2", a, TargetHealthUnhealthy, 0),
			view("n3", a, TargetHealthInitial, 0), view("n4", a, TargetHealthInitial, 0)},
			want{TargetHealthInitial, ReasonInitialHealthChecking, "seen by n3", 4, 2, a}},
		{"equal times: the reason of the first node id", a, []NodeHealthView{
			view("n2", a, TargetHealthUnhealthy, 0), view("n1", a, TargetHealthUnhealthy, 0)},
			want{TargetHealthUnhealthy, ReasonFailedHealthChecks, "seen by n1", 2, 2, a}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := ConsensusHealth(c.zone, c.views)
			w := HealthConsensus{State: c.want.state, Reason: c.want.reason, Description: c.want.desc,
				Voters: c.want.voters, Agree: c.want.agree, Zone: c.want.zone}
			if got != w {
				t.Errorf("ConsensusHealth(%q):\n got %+v\nwant %+v", c.zone, got, w)
			}
		})
	}
}

// TestConsensusHealthOrder: the result does not depend on the order of the
// views.
func TestConsensusHealthOrder(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	views := []NodeHealthView{
		{Node: "n1", Zone: "z", Live: true, State: TargetHealthUnhealthy, Reason: ReasonTimeout, ObservedAt: t0},
		{Node: "n2", Zone: "z", Live: true, State: TargetHealthUnhealthy, Reason: ReasonFailedHealthChecks, ObservedAt: t0},
		{Node: "n3", Zone: "z", Live: true, State: TargetHealthInitial, ObservedAt: t0.Add(time.Second)},
	}
	want := ConsensusHealth("z", views)
	for _, perm := range [][]int{{0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}} {
		vs := []NodeHealthView{views[perm[0]], views[perm[1]], views[perm[2]]}
		if got := ConsensusHealth("z", vs); got != want {
			t.Errorf("order %v: %+v, want %+v", perm, got, want)
		}
	}
	if want.State != TargetHealthUnhealthy || want.Reason != ReasonTimeout {
		t.Errorf("two of three unhealthy, equal times: %+v, want unhealthy with n1's reason", want)
	}
}
