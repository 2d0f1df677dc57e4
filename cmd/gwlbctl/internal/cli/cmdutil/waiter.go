package cmdutil

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/gwlbctl/gwlbctl/cmd/gwlbctl/internal/cli/output"
	"github.com/gwlbctl/gwlbctl/control"
)

// Waiter is one waiter of botocore's waiters-2.json: the operation it
// polls, the delay between polls, how many polls at most, and the
// acceptors that decide each poll.
type Waiter struct {
	Name        string // LoadBalancerAvailable
	Operation   string // DescribeLoadBalancers
	Delay       time.Duration
	MaxAttempts int
	Acceptors   []Acceptor
}

// Acceptor is one acceptor of a waiter: when Matcher (path, pathAll,
// pathAny, status or error) finds Expected, the waiter goes to State
// (success, failure or retry). Argument is the JMESPath expression of the
// path matchers.
type Acceptor struct {
	State, Matcher, Argument string
	Expected                 any
}

// The waiters of the resources gwlbctl has, as botocore's waiters-2.json
// of elbv2 (2015-12-01) and ec2 (2016-11-15) define them.
var (
	ELBv2Waiters = []Waiter{
		{"LoadBalancerAvailable", "DescribeLoadBalancers", 15 * time.Second, 40, []Acceptor{
			{"success", "pathAll", "LoadBalancers[].State.Code", "active"},
			{"retry", "pathAny", "LoadBalancers[].State.Code", "provisioning"},
			{"retry", "error", "", "LoadBalancerNotFound"},
		}},
		{"LoadBalancerExists", "DescribeLoadBalancers", 15 * time.Second, 40, []Acceptor{
			{"success", "status", "", 200},
			{"retry", "error", "", "LoadBalancerNotFound"},
		}},
		{"LoadBalancersDeleted", "DescribeLoadBalancers", 15 * time.Second, 40, []Acceptor{
			{"retry", "pathAll", "LoadBalancers[].State.Code", "active"},
			{"success", "error", "", "LoadBalancerNotFound"},
		}},
		{"TargetDeregistered", "DescribeTargetHealth", 15 * time.Second, 40, []Acceptor{
			{"success", "error", "", "InvalidTarget"},
			{"success", "pathAll", "TargetHealthDescriptions[].TargetHealth.State", "unused"},
		}},
		{"TargetInService", "DescribeTargetHealth", 15 * time.Second, 40, []Acceptor{
			{"success", "pathAll", "TargetHealthDescriptions[].TargetHealth.State", "healthy"},
			{"retry", "error", "", "InvalidInstance"},
		}},
	}
	EC2Waiters = []Waiter{
		{"InternetGatewayExists", "DescribeInternetGateways", 5 * time.Second, 6, []Acceptor{
			{"success", "path", "length(InternetGateways[].InternetGatewayId) > `0`", true},
			{"retry", "error", "", "InvalidInternetGateway.NotFound"},
		}},
		{"SubnetAvailable", "DescribeSubnets", 15 * time.Second, 40, []Acceptor{
			{"success", "pathAll", "Subnets[].State", "available"},
		}},
		{"VpcAvailable", "DescribeVpcs", 15 * time.Second, 40, []Acceptor{
			{"success", "pathAll", "Vpcs[].State", "available"},
		}},
		{"VpcExists", "DescribeVpcs", 1 * time.Second, 5, []Acceptor{
			{"success", "status", "", 200},
			{"retry", "error", "", "InvalidVpcID.NotFound"},
		}},
	}
)

// CLIName is the waiter's subcommand, as botocore's xform_name makes it:
// LoadBalancerAvailable -> load-balancer-available.
func (w Waiter) CLIName() string {
	var b strings.Builder
	r := []rune(w.Name)
	for i, c := range r {
		if unicode.IsUpper(c) && i > 0 && (unicode.IsLower(r[i-1]) || i+1 < len(r) && unicode.IsLower(r[i+1])) {
			b.WriteByte('-')
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}

// Description is the help text the AWS CLI generates for the waiter
// (awscli/customizations/waiters.py WaiterStateDocBuilder).
func (w Waiter) Description() string {
	d := "Wait until "
	for _, a := range w.Acceptors {
		if a.State != "success" {
			continue
		}
		switch a.Matcher {
		case "error":
			d += fmt.Sprintf("%v is thrown ", a.Expected)
		case "status":
			d += fmt.Sprintf("%v response is received ", a.Expected)
		case "path":
			d += fmt.Sprintf("JMESPath query %s returns %v ", a.Argument, pyValue(a.Expected))
		case "pathAll":
			d += fmt.Sprintf("JMESPath query %s returns %v for all elements ", a.Argument, pyValue(a.Expected))
		case "pathAny":
			d += fmt.Sprintf("JMESPath query %s returns %v for any element ", a.Argument, pyValue(a.Expected))
		}
		break
	}
	d += fmt.Sprintf("when polling with ``%s``.", (Waiter{Name: w.Operation}).CLIName())
	return d + fmt.Sprintf(" It will poll every %d seconds until a successful state has been reached. This will exit with a return code of 255 after %d failed checks.",
		int(w.Delay/time.Second), w.MaxAttempts)
}

func pyValue(v any) string {
	if b, ok := v.(bool); ok {
		if b {
			return "True"
		}
		return "False"
	}
	return fmt.Sprint(v)
}

// explanation is botocore's AcceptorConfig.explanation.
func (a Acceptor) explanation() string {
	switch a.Matcher {
	case "path":
		return fmt.Sprintf("For expression \"%s\" we matched expected path: \"%v\"", a.Argument, pyValue(a.Expected))
	case "pathAll":
		return fmt.Sprintf("For expression \"%s\" all members matched excepted path: \"%v\"", a.Argument, pyValue(a.Expected))
	case "pathAny":
		return fmt.Sprintf("For expression \"%s\" we matched expected path: \"%v\" at least once", a.Argument, pyValue(a.Expected))
	case "status":
		return fmt.Sprintf("Matched expected HTTP status code: %v", a.Expected)
	case "error":
		return fmt.Sprintf("Matched expected service error code: %v", a.Expected)
	}
	return fmt.Sprintf("No explanation for unknown waiter type: \"%s\"", a.Matcher)
}

// WaiterError is botocore's WaiterError: "Waiter X failed: reason". The AWS
// CLI prints it and exits 255.
type WaiterError struct {
	Name, Reason string
}

func (e *WaiterError) Error() string { return "Waiter " + e.Name + " failed: " + e.Reason }

// Poll is one call of a waiter's operation: the response, or the service
// error it failed with.
type Poll func(ctx context.Context) (any, error)

// Wait polls until an acceptor reaches success (nil), failure or the last
// attempt (*WaiterError), exactly as botocore's Waiter.wait does: after
// each poll the acceptors are tried in order and the first that matches
// sets the state; a service error no acceptor expects ends the wait; between
// polls it sleeps Delay through sleep. An error that is not a service
// error (a bad command line, an unreadable state file) is returned as it
// is.
func (w Waiter) Wait(ctx context.Context, poll Poll, sleep func(context.Context, time.Duration) error) error {
	compiled := make([]*output.Query, len(w.Acceptors))
	for i, a := range w.Acceptors {
		if a.Argument != "" {
			q, err := output.CompileQuery(a.Argument)
			if err != nil {
				return fmt.Errorf("waiter %s: %w", w.Name, err)
			}
			compiled[i] = q
		}
	}
	everMatched := false
	for attempt := 1; ; attempt++ {
		resp, err := poll(ctx)
		var svc *control.Error
		if err != nil && !errors.As(err, &svc) {
			return err
		}
		state := "waiting"
		// last is the acceptor botocore's loop ended on: the one that
		// matched, or the last one; its messages name it.
		last := len(w.Acceptors) - 1
		matchedNow := false
		for i, a := range w.Acceptors {
			if w.matches(a, compiled[i], resp, svc) {
				last, state, matchedNow, everMatched = i, a.State, true, true
				break
			}
		}
		if !matchedNow && svc != nil {
			return &WaiterError{Name: w.Name, Reason: fmt.Sprintf("An error occurred (%s): %s", svc.Code, svc.Message)}
		}
		switch state {
		case "success":
			return nil
		case "failure":
			return &WaiterError{Name: w.Name, Reason: "Waiter encountered a terminal failure state: " + w.Acceptors[last].explanation()}
		}
		if attempt >= w.MaxAttempts {
			if !everMatched {
				return &WaiterError{Name: w.Name, Reason: "Max attempts exceeded"}
			}
			return &WaiterError{Name: w.Name, Reason: "Max attempts exceeded. Previously accepted state: " + w.Acceptors[last].explanation()}
		}
		if err := sleep(ctx, w.Delay); err != nil {
			return err
		}
	}
}

// matches is one acceptor's matcher on a poll's result.
func (w Waiter) matches(a Acceptor, q *output.Query, resp any, svc *control.Error) bool {
	switch a.Matcher {
	case "error":
		return svc != nil && svc.Code == a.Expected
	case "status":
		// A response is HTTP 200; an error is not.
		return svc == nil && a.Expected == 200
	}
	if svc != nil {
		return false
	}
	data, err := output.Ordered(resp)
	if err != nil {
		return false
	}
	res, err := q.Search(data)
	if err != nil {
		return false
	}
	switch a.Matcher {
	case "path":
		return sameJSON(res, a.Expected)
	case "pathAll", "pathAny":
		list, ok := res.([]any)
		if !ok || len(list) == 0 {
			return false
		}
		for _, e := range list {
			eq := sameJSON(e, a.Expected)
			if a.Matcher == "pathAll" && !eq {
				return false
			}
			if a.Matcher == "pathAny" && eq {
				return true
			}
		}
		return a.Matcher == "pathAll"
	}
	return false
}

// sameJSON compares a query result with an acceptor's expected value as
// Python's == compares them (numbers by value).
func sameJSON(got, want any) bool {
	norm := func(v any) any {
		b, _ := json.Marshal(v)
		var out any
		_ = json.Unmarshal(b, &out)
		return out
	}
	return reflect.DeepEqual(norm(got), norm(want))
}

// SleepContext sleeps d or until ctx is done, the default sleeper of
// waiters.
func SleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// NewWaitCmd builds `<service> wait <waiter>` from the verb of the
// waiter's operation: the same flags (the AWS CLI gives a waiter its
// operation's arguments), and instead of printing the response, poll it
// until the waiter is done. Nothing is printed; the exit code says.
func NewWaitCmd[O any](f *Factory, w Waiter, newCmd func(*Factory, func(*O) error) *cobra.Command, poll func(*O) Poll, example string) *cobra.Command {
	var cmd *cobra.Command
	cmd = newCmd(f, func(o *O) error {
		sleep := f.Sleep
		if sleep == nil {
			sleep = SleepContext
		}
		return w.Wait(cmd.Context(), poll(o), sleep)
	})
	cmd.Use = w.CLIName()
	cmd.Short = w.Description()
	cmd.Long = w.Description()
	cmd.Example = example
	// The output skeleton and pagination do not apply to a waiter.
	for _, name := range []string{"starting-token", "page-size", "max-items"} {
		if fl := cmd.Flags().Lookup(name); fl != nil {
			fl.Hidden = true
		}
	}
	return cmd
}

// PollOf is the Poll that calls a read-only control operation.
func PollOf[I, O any](o Op, name string, op Operation[I, O], in *I) Poll {
	return func(ctx context.Context) (any, error) {
		out, err := Call(ctx, o, name, false, op, *in)
		if err != nil {
			return nil, err
		}
		return out, nil
	}
}

// NewWaitGroup returns `<service> wait`, holding the waiter subcommands.
func NewWaitGroup(waiters ...*cobra.Command) *cobra.Command {
	g := NewGroup("wait", "Wait until a particular condition is satisfied",
		"Wait until a particular condition is satisfied. Each subcommand polls an API until the listed requirement is met.", waiters...)
	g.Use = "wait <waiter> [parameters]"
	return g
}
