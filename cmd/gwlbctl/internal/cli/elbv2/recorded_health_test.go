package elbv2

import (
	"strings"
	"testing"
	"time"

	. "github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/clitest"
	"github.com/gwlbctl/gwlbctl/control"
)

// recordHealthy records node-a's view of 10.0.1.10 as healthy 90 s before
// the test clock, as serve's health checker does on a transition.
func recordHealthy(t *testing.T, e *Env, fx *Fixture) {
	e.Do(func(s *control.State, env control.Env) error {
		if !s.SetTargetHealth(fx.TargetGroupArn, "10.0.1.10", "node-a", control.TargetHealth{State: control.TargetHealthHealthy}, Now.Add(-90*time.Second)) {
			t.Fatal("SetTargetHealth recorded nothing")
		}
		return nil
	})
}

func TestDescribeTargetHealthShowRecorded(t *testing.T) {
	RunTests(t, []RunCase{
		{Name: "recorded views", Cmd: Verb(NewCmdDescribeTargetHealth), Prepare: recordHealthy,
			Args: func(fx Fixture) []string { return []string{"--target-group-arn", fx.TargetGroupArn, "--show-recorded"} },
			Check: func(t *testing.T, e *Env, fx Fixture) {
				var out RecordedHealthOutput
				e.JSON(&out)
				if len(out.RecordedHealth) != 2 {
					t.Fatalf("%d targets, want 2: %+v", len(out.RecordedHealth), out)
				}
				for _, r := range out.RecordedHealth {
					switch r.Target.Id {
					case "10.0.1.10":
						if r.TargetHealth.State != control.TargetHealthHealthy || len(r.RecordedBy) != 1 {
							t.Fatalf("10.0.1.10: %+v", r)
						}
						v := r.RecordedBy[0]
						if v.Node != "node-a" || v.State != control.TargetHealthHealthy || !v.Updated.Equal(Now.Add(-90*time.Second).Truncate(time.Millisecond)) || v.Age != "1m30s" {
							t.Errorf("10.0.1.10 view: %+v", v)
						}
					case "10.0.2.10":
						if r.TargetHealth.State != control.TargetHealthInitial || len(r.RecordedBy) != 0 {
							t.Errorf("10.0.2.10, never checked: %+v", r)
						}
					default:
						t.Errorf("unexpected target %+v", r)
					}
				}
			}},
		{Name: "AWS's shape without the flag", Cmd: Verb(NewCmdDescribeTargetHealth), Prepare: recordHealthy,
			Args: func(fx Fixture) []string { return []string{"--target-group-arn", fx.TargetGroupArn} },
			Check: func(t *testing.T, e *Env, fx Fixture) {
				if s := e.Out.String(); strings.Contains(s, "node-a") || strings.Contains(s, "RecordedBy") || !strings.Contains(s, `"TargetHealthDescriptions"`) {
					t.Errorf("output without --show-recorded:\n%s", s)
				}
			}},
		{Name: "unknown target group", Cmd: Verb(NewCmdDescribeTargetHealth),
			Args:    args("--target-group-arn", tgArn, "--show-recorded"),
			ErrCode: control.CodeTargetGroupNotFound},
	})
}
