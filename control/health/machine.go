package health

import (
	"strconv"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
)

// Descriptions describe-target-health prints with each state and reason,
// in AWS's wording.
const (
	DescRegistrationInProgress   = "Target registration is in progress"
	DescInitialHealthChecking    = "Initial health checks in progress"
	DescFailedHealthChecks       = "Health checks failed"
	DescTimeout                  = "Request timed out"
	DescResponseCodeMismatch     = "Health checks failed with these codes: " // + "[503]"
	DescDeregistrationInProgress = "Target deregistration is in progress"
	DescNotRegistered            = "Target is not registered to the target group"
	DescNoListener               = "Target group is not configured to receive traffic from the load balancer"
	DescZoneNotEnabled           = "Target is in an Availability Zone that is not enabled for the load balancer"
	DescInternalError            = "Health checks failed due to an internal error"
)

// Initial is a newly registered target's health, before any check result.
func Initial() control.TargetHealth {
	return control.TargetHealth{State: control.TargetHealthInitial, Reason: control.ReasonRegistrationInProgress, Description: DescRegistrationInProgress}
}

// Unavailable is the health of a target that cannot be checked for a
// reason of the load balancer's own (invalid settings, no source address).
func Unavailable() control.TargetHealth {
	return control.TargetHealth{State: control.TargetHealthUnavailable, Reason: control.ReasonInternalError, Description: DescInternalError}
}

// Hold says why a target is held out of health checking. AWS checks only
// targets whose group is used by a listener of the load balancer and whose
// zone is enabled, and stops checking a target it deregisters; the caller
// knows which applies and passes it in Target.Hold, and the checker reports
// the matching state.
type Hold uint8

const (
	// HoldNone: the target is checked.
	HoldNone Hold = iota
	// HoldDraining: deregistered, within its deregistration delay
	// (draining, Target.DeregistrationInProgress).
	HoldDraining
	// HoldNotRegistered: not (or no longer) registered
	// (unused, Target.NotRegistered).
	HoldNotRegistered
	// HoldNoListener: the target group is used by no listener
	// (unused, Target.NotInUse).
	HoldNoListener
	// HoldZoneNotEnabled: the target's zone is not enabled for the load
	// balancer (unused, Target.NotInUse).
	HoldZoneNotEnabled
)

// Health is the health a target held for h reports. HoldNone has none: a
// checked target's health comes from its checks.
func (h Hold) Health() (control.TargetHealth, bool) {
	switch h {
	case HoldDraining:
		return control.TargetHealth{State: control.TargetHealthDraining, Reason: control.ReasonDeregistrationInProgress, Description: DescDeregistrationInProgress}, true
	case HoldNotRegistered:
		return control.TargetHealth{State: control.TargetHealthUnused, Reason: control.ReasonNotRegistered, Description: DescNotRegistered}, true
	case HoldNoListener:
		return control.TargetHealth{State: control.TargetHealthUnused, Reason: control.ReasonNotInUse, Description: DescNoListener}, true
	case HoldZoneNotEnabled:
		return control.TargetHealth{State: control.TargetHealthUnused, Reason: control.ReasonNotInUse, Description: DescZoneNotEnabled}, true
	}
	return control.TargetHealth{}, false
}

// String names the hold as the Hold constants do, without the prefix.
func (h Hold) String() string {
	switch h {
	case HoldNone:
		return "none"
	case HoldDraining:
		return "draining"
	case HoldNotRegistered:
		return "not-registered"
	case HoldNoListener:
		return "no-listener"
	case HoldZoneNotEnabled:
		return "zone-not-enabled"
	}
	return "hold(" + strconv.Itoa(int(h)) + ")"
}

// unhealthyHealth is the unhealthy health a failed result gives.
func unhealthyHealth(r *Result) control.TargetHealth {
	h := control.TargetHealth{State: control.TargetHealthUnhealthy, Reason: r.Reason}
	switch r.Reason {
	case control.ReasonTimeout:
		h.Description = DescTimeout
	case control.ReasonResponseCodeMismatch:
		h.Description = DescResponseCodeMismatch + "[" + strconv.Itoa(r.StatusCode) + "]"
	default:
		h.Reason, h.Description = control.ReasonFailedHealthChecks, DescFailedHealthChecks
	}
	return h
}

// machine is one checked target's health and its consecutive counts.
//
// Threshold counting follows AWS's Gateway Load Balancer guide ("Health
// check settings"): "If the health checks exceed the specified number of
// UnhealthyThresholdCount consecutive failures, the Gateway Load Balancer
// takes the target out of service. When the health checks exceed the
// specified number of HealthyThresholdCount consecutive successes, the
// Gateway Load Balancer puts the target back in service." A new target is
// initial until either count is reached: the ELBv2 API reference
// (TargetHealth) defines Elb.InitialHealthChecking as "The load balancer is
// still sending the target the minimum number of health checks required to
// determine its health status", so a new target turns healthy after
// HealthyThreshold consecutive successes and unhealthy after
// UnhealthyThreshold consecutive failures (not after one check, as the
// Application Load Balancer guide says of ALB). Elb.RegistrationInProgress
// lasts until the first result.
//
// A result whose Reason is Elb.InternalError says nothing about the target
// (the probe could not be sent): it neither counts nor resets the target's
// counts, and UnhealthyThreshold of them in a row make the target
// unavailable. From unavailable, the target's counts decide again as from
// initial.
type machine struct {
	health   control.TargetHealth
	since    time.Time
	ok, fail int // consecutive successes, failures
	internal int // consecutive internal errors
}

func newMachine(h control.TargetHealth, now time.Time) machine {
	return machine{health: h, since: now}
}

// set moves the machine to h with zeroed counts; it reports whether the
// health changed.
func (m *machine) set(h control.TargetHealth, now time.Time) bool {
	m.ok, m.fail, m.internal = 0, 0, 0
	if h == m.health {
		return false
	}
	m.health, m.since = h, now
	return true
}

// observe applies one probe result with the thresholds of s and reports
// whether the health changed (state, reason or description).
func (m *machine) observe(r *Result, s *Settings, now time.Time) bool {
	next := m.health
	switch {
	case r.Reason == control.ReasonInternalError:
		m.internal++
		if m.internal >= s.UnhealthyThreshold {
			next = Unavailable()
		}
	case r.OK:
		m.ok++
		m.fail, m.internal = 0, 0
		if m.ok >= s.HealthyThreshold {
			next = control.TargetHealth{State: control.TargetHealthHealthy}
		} else if m.health.State == control.TargetHealthInitial {
			next = control.TargetHealth{State: control.TargetHealthInitial, Reason: control.ReasonInitialHealthChecking, Description: DescInitialHealthChecking}
		}
	default:
		m.fail++
		m.ok, m.internal = 0, 0
		switch {
		case m.fail >= s.UnhealthyThreshold || m.health.State == control.TargetHealthUnhealthy:
			// Once unhealthy, each failure updates the reason shown.
			next = unhealthyHealth(r)
		case m.health.State == control.TargetHealthInitial:
			next = control.TargetHealth{State: control.TargetHealthInitial, Reason: control.ReasonInitialHealthChecking, Description: DescInitialHealthChecking}
		}
	}
	if next == m.health {
		return false
	}
	m.health, m.since = next, now
	return true
}
