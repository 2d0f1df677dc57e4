package serve

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/gwlbctl/gwlbctl/fastpath/node"
)

// writeCheckJSON prints the report as indented JSON.
func writeCheckJSON(w io.Writer, r *node.CheckReport) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// writeCheckText prints the report for people: a summary, then ports by
// role, endpoints, targets, attributes and warnings, in aligned columns.
func writeCheckText(w io.Writer, r *node.CheckReport) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	line := func(cells ...string) { fmt.Fprintln(tw, strings.Join(cells, "\t")) }
	or := func(s, none string) string {
		if s == "" {
			return none
		}
		return s
	}
	fmt.Fprintln(tw, "The node serve would run (checked without starting it):")
	line("  load balancer", r.LoadBalancer)
	line("  availability zone", r.AvailabilityZone)
	line("  state", fmt.Sprintf("%s (revision %d)", r.State, r.Revision))
	line("  target group", or(r.TargetGroup, "none (no listener)"))
	line("  workers", fmt.Sprintf("%d, %d flows each", r.Workers, r.FlowCapacity))
	line("  api socket", or(r.API, "off"))
	line("  metrics", or(r.Metrics, "off (on the API socket only)"))
	line("  stats file", or(r.StatsFile, "off"))

	fmt.Fprintln(tw, "\nPorts:")
	line("  #", "ROLE", "DEVICE", "DETAILS")
	for _, p := range r.Ports {
		var d []string
		if p.Address != "" {
			d = append(d, "address "+p.Address, "mac "+p.MAC, "mtu "+p.MTU, "tap "+or(p.TAP, "none"))
		}
		if len(p.Interfaces) > 0 {
			d = append(d, "interfaces "+strings.Join(p.Interfaces, ","))
		}
		line(fmt.Sprintf("  %d", p.Index), p.Role, p.Device, strings.Join(d, ", "))
	}

	fmt.Fprintln(tw, "\nEndpoints:")
	line("  ID", "MODE", "STATE", "ZONE", "FORWARDS")
	for _, e := range r.Endpoints {
		line("  "+e.ID, e.Mode, e.State, e.AvailabilityZone, yesNo(e.Forwards))
	}

	fmt.Fprintln(tw, "\nTargets:")
	if len(r.Targets) == 0 {
		fmt.Fprintln(tw, "  none: new flows have no target")
	} else {
		line("  ID", "ADDRESS", "ZONE", "STATE", "REASON", "NEXT HOP")
		for _, t := range r.Targets {
			line("  "+t.ID, fmt.Sprintf("%s:%d", t.IP, t.Port), t.AvailabilityZone, t.State, or(t.Reason, "-"), t.NextHop)
		}
	}

	a := r.Attributes
	fmt.Fprintln(tw, "\nAttributes:")
	line("  cross-zone load balancing", onOff(a.CrossZone))
	line("  stickiness", a.Stickiness)
	line("  TCP idle timeout", fmt.Sprintf("%d s (other protocols 120 s)", a.TCPIdleTimeoutSeconds))
	line("  target failover", a.Failover)
	line("  inner MTU", fmt.Sprintf("%d bytes (larger packets are dropped as too_big)", a.InnerMTU))

	fmt.Fprintln(tw, "\nWarnings:")
	if len(r.Warnings) == 0 {
		fmt.Fprintln(tw, "  none")
	}
	for _, w := range r.Warnings {
		fmt.Fprintln(tw, "  - "+w)
	}
	return tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
