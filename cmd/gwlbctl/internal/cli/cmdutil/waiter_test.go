package cmdutil

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
)

type lbState struct {
	LoadBalancers []struct {
		State struct{ Code string }
	}
}

func lbs(codes ...string) any {
	var out lbState
	for _, c := range codes {
		var lb struct{ State struct{ Code string } }
		lb.State.Code = c
		out.LoadBalancers = append(out.LoadBalancers, lb)
	}
	return out
}

func waiterNamed(t *testing.T, ws []Waiter, name string) Waiter {
	for _, w := range ws {
		if w.Name == name {
			return w
		}
	}
	t.Fatalf("no waiter %s", name)
	return Waiter{}
}

// script returns a Poll that answers each call with the next result.
func script(results ...any) (Poll, *int) {
	n := new(int)
	return func(context.Context) (any, error) {
		r := results[min(*n, len(results)-1)]
		*n++
		if err, ok := r.(error); ok {
			return nil, err
		}
		return r, nil
	}, n
}

// TestWaiterAcceptors follows botocore's Waiter.wait (botocore/waiter.py)
// on the elbv2 waiters of waiters-2.json.
func TestWaiterAcceptors(t *testing.T) {
	notFound := &control.Error{Code: "LoadBalancerNotFound", Message: "One or more load balancers not found"}
	other := &control.Error{Code: "ValidationError", Message: "bad"}
	avail := waiterNamed(t, ELBv2Waiters, "LoadBalancerAvailable")
	deleted := waiterNamed(t, ELBv2Waiters, "LoadBalancersDeleted")
	cases := []struct {
		name    string
		w       Waiter
		results []any
		polls   int
		err     string
	}{
		{"active at once", avail, []any{lbs("active", "active")}, 1, ""},
		{"provisioning then active", avail, []any{lbs("provisioning"), lbs("active", "provisioning"), lbs("active")}, 3, ""},
		{"not found then active", avail, []any{notFound, lbs("active")}, 2, ""},
		{"unexpected error", avail, []any{other}, 1, "Waiter LoadBalancerAvailable failed: An error occurred (ValidationError): bad"},
		{"empty list never matches pathAll", avail, []any{lbs()}, 40, "Waiter LoadBalancerAvailable failed: Max attempts exceeded"},
		{"retrying until the end", avail, []any{lbs("provisioning")}, 40,
			`Waiter LoadBalancerAvailable failed: Max attempts exceeded. Previously accepted state: For expression "LoadBalancers[].State.Code" we matched expected path: "provisioning" at least once`},
		{"deleted", deleted, []any{lbs("active"), notFound}, 2, ""},
		{"failed state", Waiter{Name: "X", Delay: time.Second, MaxAttempts: 3, Acceptors: []Acceptor{{"failure", "pathAny", "LoadBalancers[].State.Code", "failed"}, {"success", "pathAll", "LoadBalancers[].State.Code", "active"}}},
			[]any{lbs("active", "failed")}, 1, `Waiter X failed: Waiter encountered a terminal failure state: For expression "LoadBalancers[].State.Code" we matched expected path: "failed" at least once`},
		{"legacy literal in an argument", Waiter{Name: "Y", Delay: time.Second, MaxAttempts: 2, Acceptors: []Acceptor{{"success", "path", "length(LoadBalancers[?State.Code==`active`]) > `1`", true}}},
			[]any{lbs("active"), lbs("active", "active")}, 2, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			poll, n := script(c.results...)
			var slept []time.Duration
			err := c.w.Wait(context.Background(), poll, func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil })
			if c.err == "" && err != nil || c.err != "" && (err == nil || err.Error() != c.err) {
				t.Fatalf("err = %v, want %q", err, c.err)
			}
			var we *WaiterError
			if c.err != "" && (!errors.As(err, &we) || ExitCode(err) != ExitError) {
				t.Fatalf("%T exits %d, want a WaiterError exiting 255", err, ExitCode(err))
			}
			if *n != c.polls || len(slept) != c.polls-1 {
				t.Fatalf("%d polls, %d sleeps; want %d polls", *n, len(slept), c.polls)
			}
			for _, d := range slept {
				if d != c.w.Delay {
					t.Fatalf("slept %v, want the waiter's delay %v", d, c.w.Delay)
				}
			}
		})
	}
	// A usage or state-file error ends the wait as it is.
	cfgErr := &ConfigError{Err: errors.New("corrupt")}
	poll, _ := script(cfgErr)
	if err := avail.Wait(context.Background(), poll, SleepContext); !errors.Is(err, cfgErr) {
		t.Fatalf("config error: %v", err)
	}
}

func TestWaiterNames(t *testing.T) {
	want := map[string]string{"LoadBalancerAvailable": "load-balancer-available", "LoadBalancersDeleted": "load-balancers-deleted",
		"TargetInService": "target-in-service", "VpcExists": "vpc-exists", "InternetGatewayExists": "internet-gateway-exists"}
	for _, w := range append(append([]Waiter{}, ELBv2Waiters...), EC2Waiters...) {
		if cli, ok := want[w.Name]; ok && w.CLIName() != cli {
			t.Errorf("%s -> %s, want %s", w.Name, w.CLIName(), cli)
		}
	}
	d := waiterNamed(t, ELBv2Waiters, "TargetInService").Description()
	if d != "Wait until JMESPath query TargetHealthDescriptions[].TargetHealth.State returns healthy for all elements when polling with ``describe-target-health``. It will poll every 15 seconds until a successful state has been reached. This will exit with a return code of 255 after 40 failed checks." {
		t.Errorf("description: %s", d)
	}
}
