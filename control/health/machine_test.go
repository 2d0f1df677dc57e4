package health

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
)

var (
	okResult       = Result{OK: true, Detail: "connected"}
	refused        = Result{Reason: control.ReasonFailedHealthChecks, Detail: "connection refused"}
	timedOut       = Result{Reason: control.ReasonTimeout, Detail: "timed out after 5s while connecting"}
	status503      = Result{Reason: control.ReasonResponseCodeMismatch, StatusCode: 503, Detail: "status 503"}
	status500      = Result{Reason: control.ReasonResponseCodeMismatch, StatusCode: 500, Detail: "status 500"}
	internalResult = Result{Reason: control.ReasonInternalError, Detail: "local error while connecting: bind: cannot assign requested address"}
)

// short writes a health as "state" or "state/reason".
func short(h control.TargetHealth) string {
	if h.Reason == "" {
		return h.State
	}
	return h.State + "/" + h.Reason
}

// run feeds results to a new machine and returns the health after each,
// and the times its health changed.
func run(th [2]int, from control.TargetHealth, results ...Result) (states []string, changes []time.Duration, m machine) {
	s := DefaultSettings()
	s.HealthyThreshold, s.UnhealthyThreshold = th[0], th[1]
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	m = newMachine(from, start)
	for i := range results {
		now := start.Add(time.Duration(i+1) * s.Interval)
		if m.observe(&results[i], &s, now) {
			changes = append(changes, now.Sub(start))
			if !m.since.Equal(now) {
				panic("since not updated")
			}
		}
		states = append(states, short(m.health))
	}
	return states, changes, m
}

func TestMachineTransitions(t *testing.T) {
	const (
		ini  = "initial/" + control.ReasonInitialHealthChecking
		hea  = "healthy"
		fhc  = "unhealthy/" + control.ReasonFailedHealthChecks
		tmo  = "unhealthy/" + control.ReasonTimeout
		rcm  = "unhealthy/" + control.ReasonResponseCodeMismatch
		unav = "unavailable/" + control.ReasonInternalError
	)
	healthy := control.TargetHealth{State: control.TargetHealthHealthy}
	unhealthy := unhealthyHealth(&refused)
	for _, tc := range []struct {
		name    string
		th      [2]int // healthy, unhealthy threshold
		from    control.TargetHealth
		results []Result
		want    []string
	}{
		{"initial to healthy after the healthy threshold", [2]int{3, 2}, Initial(),
			[]Result{okResult, okResult, okResult}, []string{ini, ini, hea}},
		{"initial to unhealthy after the unhealthy threshold", [2]int{5, 3}, Initial(),
			[]Result{refused, refused, refused}, []string{ini, ini, fhc}},
		{"initial flapping stays initial", [2]int{2, 2}, Initial(),
			[]Result{okResult, refused, okResult, refused, okResult, refused}, []string{ini, ini, ini, ini, ini, ini}},
		{"a flip resets the success count", [2]int{3, 3}, Initial(),
			[]Result{okResult, okResult, refused, okResult, okResult, okResult}, []string{ini, ini, ini, ini, ini, hea}},
		{"a flip resets the failure count", [2]int{5, 3}, healthy,
			[]Result{refused, refused, okResult, refused, refused, refused}, []string{hea, hea, hea, hea, hea, fhc}},
		{"healthy to unhealthy by timeouts", [2]int{5, 2}, healthy,
			[]Result{timedOut, timedOut}, []string{hea, tmo}},
		{"healthy to unhealthy by status codes", [2]int{5, 2}, healthy,
			[]Result{status503, status503}, []string{hea, rcm}},
		{"the deciding failure names the reason", [2]int{5, 3}, healthy,
			[]Result{refused, status503, timedOut}, []string{hea, hea, tmo}},
		{"once unhealthy each failure updates the reason", [2]int{5, 2}, unhealthy,
			[]Result{timedOut, status503, refused}, []string{tmo, rcm, fhc}},
		{"unhealthy to healthy after the healthy threshold", [2]int{2, 2}, unhealthy,
			[]Result{okResult, okResult}, []string{fhc, hea}},
		{"unhealthy flapping stays unhealthy", [2]int{3, 2}, unhealthy,
			[]Result{okResult, okResult, refused, okResult, okResult, timedOut}, []string{fhc, fhc, fhc, fhc, fhc, tmo}},
		{"healthy flapping stays healthy", [2]int{2, 3}, healthy,
			[]Result{refused, refused, okResult, refused, refused, okResult}, []string{hea, hea, hea, hea, hea, hea}},
		{"thresholds of 10", [2]int{10, 10}, Initial(),
			[]Result{okResult, okResult, okResult, okResult, okResult, okResult, okResult, okResult, okResult, okResult},
			[]string{ini, ini, ini, ini, ini, ini, ini, ini, ini, hea}},
		{"internal errors neither count nor reset", [2]int{3, 3}, Initial(),
			[]Result{okResult, okResult, internalResult, okResult}, []string{ini, ini, ini, hea}},
		{"internal errors up to the unhealthy threshold make it unavailable", [2]int{2, 2}, healthy,
			[]Result{internalResult, internalResult}, []string{hea, unav}},
		{"a real result resets the internal count", [2]int{2, 2}, healthy,
			[]Result{internalResult, okResult, internalResult, okResult}, []string{hea, hea, hea, hea}},
		{"from unavailable the counts decide again", [2]int{2, 2}, Unavailable(),
			[]Result{okResult, okResult, refused, refused}, []string{unav, hea, hea, fhc}},
		{"from unavailable to unhealthy", [2]int{2, 2}, Unavailable(),
			[]Result{timedOut, timedOut}, []string{unav, tmo}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, _ := run(tc.th, tc.from, tc.results...)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("got  %v\nwant %v", got, tc.want)
			}
		})
	}
}

func TestMachineFirstResultLeavesRegistration(t *testing.T) {
	for _, r := range []Result{okResult, refused, timedOut, status503} {
		states, changes, _ := run([2]int{5, 2}, Initial(), r)
		if states[0] != "initial/"+control.ReasonInitialHealthChecking || len(changes) != 1 {
			t.Errorf("after %s: %v (changes %v), want initial/Elb.InitialHealthChecking", r.Detail, states, changes)
		}
	}
}

// TestMachineDescriptions checks every state's description, in AWS's words.
func TestMachineDescriptions(t *testing.T) {
	_, _, m := run([2]int{2, 2}, Initial(), status503, status503)
	if m.health.Description != "Health checks failed with these codes: [503]" {
		t.Errorf("response code mismatch: %q", m.health.Description)
	}
	// A new code is a new description (and an event).
	s := DefaultSettings()
	if !m.observe(&status500, &s, m.since.Add(time.Second)) || m.health.Description != "Health checks failed with these codes: [500]" {
		t.Errorf("new code: %+v", m.health)
	}
	for _, tc := range []struct {
		r    Result
		desc string
	}{{refused, DescFailedHealthChecks}, {timedOut, DescTimeout}} {
		_, _, m := run([2]int{2, 2}, Initial(), tc.r, tc.r)
		if m.health.Description != tc.desc {
			t.Errorf("%s: description %q, want %q", tc.r.Detail, m.health.Description, tc.desc)
		}
	}
	_, _, m = run([2]int{2, 2}, Initial(), okResult)
	if m.health.Description != "Initial health checks in progress" {
		t.Errorf("initial checking: %q", m.health.Description)
	}
	_, _, m = run([2]int{2, 2}, Initial(), okResult, okResult)
	if m.health != (control.TargetHealth{State: "healthy"}) {
		t.Errorf("healthy has no reason or description: %+v", m.health)
	}
	if Initial().Description != "Target registration is in progress" || !strings.Contains(Unavailable().Description, "internal error") {
		t.Errorf("Initial %+v, Unavailable %+v", Initial(), Unavailable())
	}
}

func TestMachineConsecutiveCounts(t *testing.T) {
	_, _, m := run([2]int{5, 5}, Initial(), okResult, okResult, okResult)
	if m.ok != 3 || m.fail != 0 {
		t.Fatalf("after 3 successes: ok %d fail %d", m.ok, m.fail)
	}
	s := DefaultSettings()
	m.observe(&refused, &s, time.Time{})
	if m.ok != 0 || m.fail != 1 {
		t.Fatalf("after a failure: ok %d fail %d", m.ok, m.fail)
	}
	// set (a hold, a restart) zeroes the counts.
	m.set(Initial(), time.Time{})
	if m.ok != 0 || m.fail != 0 || m.internal != 0 {
		t.Fatalf("after set: %+v", m)
	}
}

func TestHoldHealth(t *testing.T) {
	for _, tc := range []struct {
		h                   Hold
		state, reason, desc string
	}{
		{HoldDraining, "draining", "Target.DeregistrationInProgress", "Target deregistration is in progress"},
		{HoldNotRegistered, "unused", "Target.NotRegistered", "Target is not registered to the target group"},
		{HoldNoListener, "unused", "Target.NotInUse", "Target group is not configured to receive traffic from the load balancer"},
		{HoldZoneNotEnabled, "unused", "Target.NotInUse", "Target is in an Availability Zone that is not enabled for the load balancer"},
	} {
		got, ok := tc.h.Health()
		if !ok || got != (control.TargetHealth{State: tc.state, Reason: tc.reason, Description: tc.desc}) {
			t.Errorf("%v: %+v %v", tc.h, got, ok)
		}
	}
	if _, ok := HoldNone.Health(); ok {
		t.Error("HoldNone has a health")
	}
	if Hold(99).String() != "hold(99)" || HoldZoneNotEnabled.String() != "zone-not-enabled" {
		t.Error("Hold.String")
	}
}
