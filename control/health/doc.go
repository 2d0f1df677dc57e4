// Package health owns gwlbctl's health checks of GENEVE targets: the probes
// (TCP connect; HTTP and HTTPS GET with a matcher of status codes), GWLB's
// health-check settings with their defaults and ranges, the per-target
// state machine with AWS's states and reason codes, the schedule that
// probes each target at its interval, and the log of health changes.
//
// It does not decide which targets are checked, and it does not record
// health anywhere: the node does both. The node builds one Target per
// registered target from the state (TargetOf maps a target group's
// health-check fields through SettingsOf), marks with a Hold the ones AWS
// would not check (draining, group with no listener, zone not enabled),
// and passes the whole set to Checker.Update each time the state changes.
// Health comes back as control.TargetHealth, the shape
// describe-target-health prints, through Snapshot and Status, and every
// change of it as an Event in a bounded log read with a cursor.
//
// # States
//
//	initial      Elb.RegistrationInProgress  added, no result yet
//	             Elb.InitialHealthChecking   results, no threshold reached
//	healthy                                  HealthyThreshold successes in a row
//	unhealthy    Target.FailedHealthChecks   UnhealthyThreshold failures in a row:
//	             Target.Timeout                the last failure's reason
//	             Target.ResponseCodeMismatch
//	draining     Target.DeregistrationInProgress  HoldDraining
//	unused       Target.NotRegistered        HoldNotRegistered, or removed by Update
//	             Target.NotInUse             HoldNoListener, HoldZoneNotEnabled
//	unavailable  Elb.InternalError           invalid settings or address, or
//	                                         UnhealthyThreshold probes in a row
//	                                         that could not be sent (no source
//	                                         address, no interface, no sockets)
//
// A success resets the failure count and a failure the success count;
// a target flips only on a full run of one kind.
//
// # Probes
//
// Each probe opens a new connection with the Dialer (NewDialer binds the
// node's appliance address and, optionally, its TAP interface, so probes
// take the path the data takes), and closes it when the check ends: TCP
// checks end once connected; HTTP and HTTPS checks send one GET with
// "Connection: close", read the status line and headers (at most
// MaxResponseHead bytes, never the body), and close. HTTPS does not verify
// certificates, as ELB does not. The timeout bounds the whole check
// (connect, handshake, request, response) and is measured on the Clock.
//
// # Schedule
//
// Every checked target has its own timer and each probe its own goroutine,
// so a black-holed target ties up only its own probe, for at most its
// timeout. Targets added by one Update have their first probes spread
// evenly over their interval; a target is then probed every interval
// (fixed rate, not after the previous probe's end). A probe still running
// when the next is due makes that one skipped and counted.
//
// # Using it in a node
//
//	c := health.NewChecker(health.Options{
//		Dialer: health.NewDialer(applianceIP, tapName),
//		Logger: logger,
//	})
//	defer c.Close()
//
//	// On start and after every state change (the store's watch):
//	var targets []health.Target
//	for each target group tg the node's load balancer may use, for each live target rt:
//		hold := health.HoldNone
//		switch {
//		case rt.Draining(now):      hold = health.HoldDraining
//		case no listener uses tg:   hold = health.HoldNoListener
//		case zone not enabled:      hold = health.HoldZoneNotEnabled
//		}
//		t := health.TargetOf(&tg.TargetGroup, rt.Target.Id, control.GenevePort, addr, hold)
//		rec, _ := rt.RecordedHealth()
//		t.Recorded = rec.Health // resume after a restart
//		targets = append(targets, t)
//	if err := c.Update(targets); err != nil { ... }
//
//	// One goroutine follows the changes: rebuild the fast path's
//	// snapshot and record the new health in the state file.
//	cursor := c.Cursor()
//	for {
//		page, err := c.WaitEvents(ctx, cursor)
//		if err != nil { return }
//		cursor = page.Next
//		if page.Missed > 0 { /* re-read everything from c.Snapshot() */ }
//		for _, ev := range page.Events {
//			// ev.To is what describe-target-health shows for ev.Target:
//			// st.SetTargetHealth(ev.Target.Group, ev.Target.ID, nodeID, ev.To, ev.Time)
//		}
//	}
//
// The node's API serves c.Snapshot() (targets) and c.Events(cursor)
// (recent events, with the cursor to pass next time).
package health
