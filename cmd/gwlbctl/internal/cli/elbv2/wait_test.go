package elbv2

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/clitest"
	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/cmdutil"
	"github.com/gwlbctl/gwlbctl/control"
)

// TestWaitTargetInService: `elbv2 wait target-in-service` really waits
// for the health checker. The waiter polls describe-target-health on the
// state file; between its polls another goroutine records health the way
// serve's health checker does (a store update of SetTargetHealth),
// first for one target, then for the other; the waiter returns only after
// both are healthy. The sleeper is injected (no real 15 s delays) and
// checks the AWS CLI's delay is asked for. Source of the case: AWS CLI
// reference, elbv2 wait target-in-service ("aws elbv2 wait
// target-in-service --target-group-arn ... --targets Id=i-...").
func TestWaitTargetInService(t *testing.T) {
	e := clitest.New(t)
	fx := e.Seed()
	polls := make(chan time.Duration)
	done := make(chan struct{})
	e.Factory.Sleep = func(ctx context.Context, d time.Duration) error {
		polls <- d
		<-done
		return nil
	}
	ids := []string{"10.0.1.10", "10.0.2.10"}
	go func() {
		for i := 0; ; i++ {
			d, ok := <-polls
			if !ok {
				return
			}
			if d != 15*time.Second {
				t.Errorf("waiter asked to sleep %v, want the AWS CLI's 15s", d)
			}
			if i < len(ids) {
				// The health checker records a result in the state file.
				_, err := e.Store.Update(func(s *control.State) error {
					s.SetTargetHealth(fx.TargetGroupArn, ids[i], "node-a", control.TargetHealth{State: control.TargetHealthHealthy}, clitest.Now)
					return nil
				})
				if err != nil {
					t.Error(err)
				}
			}
			done <- struct{}{}
		}
	}()
	defer close(polls)
	err := e.Run(func(f *cmdutil.Factory) *cobra.Command { return NewCmdWait(f) },
		"target-in-service", "--target-group-arn", fx.TargetGroupArn, "--targets", "Id=10.0.1.10", "Id=10.0.2.10")
	if err != nil {
		t.Fatalf("wait: %v", err)
	}
	for _, id := range ids {
		if v, _ := e.State().TargetGroupByArn(fx.TargetGroupArn).Target(id).RecordedHealth(); v.Health.State != "healthy" {
			t.Fatalf("waiter returned while %s is %s", id, v.Health.State)
		}
	}
	if e.Out.Len() != 0 {
		t.Errorf("a waiter prints nothing, got %q", e.Out.String())
	}
}

// TestWaitTimesOut: a target that never turns healthy exhausts the 40
// attempts; the error is the AWS CLI's and exits 255.
func TestWaitTimesOut(t *testing.T) {
	e := clitest.New(t)
	fx := e.Seed()
	sleeps := 0
	e.Factory.Sleep = func(context.Context, time.Duration) error { sleeps++; return nil }
	err := e.Run(func(f *cmdutil.Factory) *cobra.Command { return NewCmdWait(f) },
		"target-in-service", "--target-group-arn", fx.TargetGroupArn)
	var we *cmdutil.WaiterError
	if !errors.As(err, &we) || err.Error() != "Waiter TargetInService failed: Max attempts exceeded" || cmdutil.ExitCode(err) != 255 || sleeps != 39 {
		t.Fatalf("err = %v (exit %d), %d sleeps", err, cmdutil.ExitCode(err), sleeps)
	}
	// A deregistered target is unused once its delay is over: target-deregistered.
	e.Do(func(s *control.State, env control.Env) error {
		tg := s.TargetGroupByArn(fx.TargetGroupArn)
		tg.Attributes = []control.Attribute{{Key: control.AttrDeregistrationDelay, Value: "0"}}
		_, err := s.DeregisterTargets(env, control.DeregisterTargetsInput{TargetGroupArn: fx.TargetGroupArn, Targets: []control.TargetDescription{{Id: "10.0.1.10"}}})
		return err
	})
	if err := e.Run(func(f *cmdutil.Factory) *cobra.Command { return NewCmdWait(f) },
		"target-deregistered", "--target-group-arn", fx.TargetGroupArn, "--targets", "Id=10.0.1.10"); err != nil {
		t.Fatalf("target-deregistered: %v", err)
	}
	// Unknown load balancer: load-balancer-exists retries on
	// LoadBalancerNotFound until it runs out.
	sleeps = 0
	err = e.Run(func(f *cmdutil.Factory) *cobra.Command { return NewCmdWait(f) }, "load-balancer-exists", "--names", "nope")
	if err == nil || err.Error() != "Waiter LoadBalancerExists failed: Max attempts exceeded. Previously accepted state: Matched expected service error code: LoadBalancerNotFound" || sleeps != 39 {
		t.Fatalf("load-balancer-exists: %v, %d sleeps", err, sleeps)
	}
}
