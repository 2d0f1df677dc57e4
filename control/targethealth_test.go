package control

import (
	"testing"
	"time"
)

func TestRecordedHealthPerNode(t *testing.T) {
	f := newFixture(t)
	s, env := f.s, f.env
	rt := s.TargetGroupByArn(f.tgArn).Target("10.0.1.10")
	if _, ok := rt.RecordedHealth(); ok {
		t.Fatal("a new target has a recorded health")
	}
	healthy := TargetHealth{State: TargetHealthHealthy}
	failed := TargetHealth{State: TargetHealthUnhealthy, Reason: ReasonFailedHealthChecks, Description: "Health checks failed"}
	if !s.SetTargetHealth(f.tgArn, "10.0.1.10", "node-a", healthy, f.now) {
		t.Fatal("first view: no change")
	}
	if s.SetTargetHealth(f.tgArn, "10.0.1.10", "node-a", healthy, f.now.Add(time.Second)) {
		t.Fatal("the same health again is a change")
	}
	// A second node's view is kept apart; the most recent one is reported.
	later := f.now.Add(2 * time.Second)
	if !s.SetTargetHealth(f.tgArn, "10.0.1.10", "node-b", failed, later) {
		t.Fatal("second node's view: no change")
	}
	if len(rt.HealthViews) != 2 {
		t.Fatalf("views %+v, want one per node", rt.HealthViews)
	}
	// One unhealthy view of two is not a majority: the target stays
	// healthy (ConsensusHealth), named by node-a's view.
	v, ok := rt.RecordedHealth()
	if !ok || v.Node != "node-a" || v.Health != healthy {
		t.Fatalf("RecordedHealth = %+v %v, want node-a's healthy", v, ok)
	}
	// With node-a's lease gone, node-b alone votes.
	onlyB := func(node string) (string, bool) { return rt.Target.AvailabilityZone, node == "node-b" }
	if v, ok := rt.CombinedHealth(onlyB); !ok || v.Node != "node-b" || v.Health != failed || !v.Updated.Equal(NewTimestamp(later).Time) {
		t.Fatalf("CombinedHealth(node-b live) = %+v %v, want node-b's", v, ok)
	}
	out := must(s.DescribeTargetHealth(Env{Region: env.Region, Account: env.Account, Now: env.Now, Nodes: onlyB}, DescribeTargetHealthInput{TargetGroupArn: f.tgArn, Targets: []TargetDescription{{Id: "10.0.1.10"}}}))(t)
	if d := out.TargetHealthDescriptions[0]; d.TargetHealth != failed {
		t.Fatalf("describe-target-health with node-b alone live: %+v, want %+v", d.TargetHealth, failed)
	}
	// No live node (no serve runs): the last recorded views, as they are.
	none := func(string) (string, bool) { return "", false }
	if v, ok := rt.CombinedHealth(none); !ok || v.Health != healthy {
		t.Fatalf("CombinedHealth(no node live) = %+v %v, want the recorded views' healthy", v, ok)
	}
	// Both unhealthy: a majority.
	if !s.SetTargetHealth(f.tgArn, "10.0.1.10", "node-a", failed, later.Add(time.Second)) {
		t.Fatal("node-a's second view: no change")
	}
	out = must(s.DescribeTargetHealth(env, DescribeTargetHealthInput{TargetGroupArn: f.tgArn, Targets: []TargetDescription{{Id: "10.0.1.10"}}}))(t)
	d := out.TargetHealthDescriptions[0]
	if d.TargetHealth != failed {
		t.Fatalf("describe-target-health: %+v, want both nodes' %+v", d.TargetHealth, failed)
	}

	// A deregistered target stays deregistered: a node's late write is
	// refused, and describe reports draining.
	must(s.ModifyTargetGroupAttributes(env, ModifyTargetGroupAttributesInput{TargetGroupArn: f.tgArn, Attributes: []Attribute{{Key: AttrDeregistrationDelay, Value: "30"}}}))(t)
	must(s.DeregisterTargets(env, DeregisterTargetsInput{TargetGroupArn: f.tgArn, Targets: []TargetDescription{{Id: "10.0.1.10"}}}))(t)
	if s.SetTargetHealth(f.tgArn, "10.0.1.10", "node-a", healthy, later.Add(time.Second)) {
		t.Fatal("a node recorded health for a deregistered target")
	}
	if rt.DrainUntil == nil {
		t.Fatal("the deregistration was undone")
	}
	out = must(s.DescribeTargetHealth(env, DescribeTargetHealthInput{TargetGroupArn: f.tgArn, Targets: []TargetDescription{{Id: "10.0.1.10"}}}))(t)
	if d := out.TargetHealthDescriptions[0]; d.TargetHealth.State != TargetHealthDraining {
		t.Fatalf("draining target: %+v", d.TargetHealth)
	}
	// Registering it again forgets the views.
	must(s.RegisterTargets(env, RegisterTargetsInput{TargetGroupArn: f.tgArn, Targets: []TargetDescription{{Id: "10.0.1.10"}}}))(t)
	if _, ok := rt.RecordedHealth(); ok {
		t.Fatal("a re-registered target kept its recorded health")
	}
	if s.SetTargetHealth(f.tgArn, "10.0.9.9", "node-a", healthy, f.now) || s.SetTargetHealth("arn:nope", "10.0.1.10", "node-a", healthy, f.now) {
		t.Fatal("recorded health for a target that is not registered")
	}
}
