package health

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
)

// Target is one target for the checker, as the node builds it from the
// state: which target, where probes go, how its group checks it, and
// whether it is held out of checking.
type Target struct {
	Key  TargetKey
	Addr netip.Addr // where probes go (IPv4): the IP target, or the instance's address
	// Settings are its group's (SettingsOf). SettingsErr, when not nil, is
	// why they could not be had: the target is then unavailable
	// (Elb.InternalError) with that detail, and not probed.
	Settings    Settings
	SettingsErr error
	// Hold, when not HoldNone, keeps the target out of checking and gives
	// its health (draining, unused).
	Hold Hold
	// Recorded is the health recorded for the target before this checker
	// knew it (by a previous run, in the state file). A checked target new
	// to the checker resumes a recorded healthy or unhealthy state, with
	// its counts at zero (a resumed healthy target turns unhealthy after
	// UnhealthyThreshold failures); anything else starts at initial.
	Recorded control.TargetHealth
}

// TargetOf builds the Target for a target of tg with key id and port,
// probed at addr, with hold; tg's health-check settings go through
// SettingsOf, and its error, if any, into SettingsErr.
func TargetOf(tg *control.TargetGroup, id string, port int, addr netip.Addr, hold Hold) Target {
	s, err := SettingsOf(tg)
	return Target{Key: TargetKey{Group: tg.TargetGroupArn, ID: id, Port: port}, Addr: addr, Settings: s, SettingsErr: err, Hold: hold}
}

// problem reports why a target without a hold cannot be checked.
func (t *Target) problem() error {
	if t.SettingsErr != nil {
		return t.SettingsErr
	}
	if !t.Addr.Is4() {
		return fmt.Errorf("target %s: address %v is not an IPv4 address", t.Key.ID, t.Addr)
	}
	return t.Settings.Validate()
}

// TargetStatus is a target's health as the checker sees it.
type TargetStatus struct {
	Target   TargetKey
	Addr     netip.Addr
	Hold     Hold
	Settings Settings
	Health   control.TargetHealth
	Since    time.Time // when Health last changed
	// Checked says the target is probed (no hold, valid settings).
	Checked bool
	// Successes and Failures are the consecutive counts towards the
	// thresholds (one of them is 0).
	Successes, Failures int
	// Probes counts probes started; Skipped counts probes not started
	// because the previous one was still running, or because the process
	// was stalled past their time.
	Probes, Skipped uint64
	InFlight        bool
	// LastProbe is the last result applied (zero Start: none yet).
	LastProbe Result
	// NextProbe is when the next probe is due (zero when not checked).
	NextProbe time.Time
}
