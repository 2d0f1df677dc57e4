package engine

import "strconv"

// Reason is why a packet was dropped. Each reason's name (its key in the
// stats document's drops, the log line and the reason label of metrics)
// and meaning are in the reasons table below: that table is the only place
// they are spelled.
type Reason uint8

// Drop reasons; see the reasons table for what each means.
const (
	ReasonMalformed Reason = iota
	ReasonUnknownCookie
	ReasonEndpointMismatch
	ReasonWrongSource
	ReasonMissingOption
	ReasonCriticalOption
	ReasonNoTarget
	ReasonTableFull
	ReasonTooBig
	ReasonNotForUs
	ReasonEndpointNotAvailable
	ReasonNoNeighbor
	ReasonNoFlow
	ReasonNoHeadroom
	ReasonNoConfig
	ReasonFlowMismatch
	ReasonBadChecksum
	ReasonGeneveControl
	ReasonNonzeroVNI
	ReasonNoRoute
	ReasonRouteLoop
	// NumReasons is the number of reasons.
	NumReasons
)

// reasons names and explains every drop reason.
var reasons = [NumReasons]struct{ name, help string }{
	ReasonMalformed: {"malformed", "a header could not be parsed, is truncated or " +
		"inconsistent (e.g. Geneve protocol type vs inner IP version)"},
	ReasonUnknownCookie: {"unknown_cookie", "a Geneve return whose flow cookie names no " +
		"live flow (stale, forged, or from before a restart)"},
	ReasonEndpointMismatch: {"endpoint_mismatch", "a Geneve return whose cookie names a " +
		"live flow, but whose endpoint id or attachment id option is not that flow's"},
	ReasonWrongSource: {"wrong_source", "a Geneve return whose outer source address is " +
		"not the flow's target"},
	ReasonMissingOption: {"missing_option", "a Geneve return without all three AWS options " +
		"(endpoint id, attachment id, flow cookie)"},
	ReasonCriticalOption: {"critical_option", "a Geneve return with an unknown critical " +
		"option (RFC 8926: must be dropped)"},
	ReasonNoTarget: {"no_target", "a new flow found no target (empty target group, or " +
		"none in the endpoint's zone with cross-zone off)"},
	ReasonTableFull: {"table_full", "a new flow found the flow table full; live flows " +
		"are never evicted"},
	ReasonTooBig: {"too_big", "the inner packet is larger than the node carries (8500 " +
		"bytes, or the appliance MTU - 68 when smaller), or than the MTU of the endpoint port " +
		"it would leave by; GWLB neither fragments nor sends ICMP"},
	ReasonNotForUs: {"not_for_us", "not addressed to the node, received on a port " +
		"with no role, or on a routed port: sent to another MAC, VLAN-tagged, neither IP nor ARP, " +
		"or link-layer broadcast to another IP address"},
	ReasonEndpointNotAvailable: {"endpoint_not_available", "the endpoint is not in state " +
		"available"},
	ReasonNoNeighbor: {"no_neighbor", "the next hop's MAC is not resolved yet (a target's, " +
		"or a routed endpoint's router or on-link destination): the node asks the kernel to resolve it"},
	ReasonNoFlow: {"no_flow", "a TCP packet other than a SYN for which no flow exists " +
		"(e.g. after the idle timeout); only a SYN starts a TCP flow (a node on an etcd state " +
		"picks up a flow it has no entry for instead; a RST, or a packet of an entry past its " +
		"idle timeout, is still dropped)"},
	ReasonNoHeadroom: {"no_headroom", "the buffer lacks the headroom to prepend the outer " +
		"headers (68 bytes in front of an untagged frame)"},
	ReasonNoConfig: {"no_config", "no config snapshot published yet"},
	ReasonFlowMismatch: {"flow_mismatch", "a Geneve return whose inner packet is not of the " +
		"flow its cookie names (an appliance must not rewrite the tuple)"},
	ReasonBadChecksum: {"bad_checksum", "a Geneve return with a wrong outer UDP checksum"},
	ReasonGeneveControl: {"geneve_control", "a Geneve packet with the O (control) bit set: " +
		"RFC 8926 says its payload must not be forwarded, and GWLB sends none"},
	ReasonNonzeroVNI: {"nonzero_vni", "a Geneve return whose VNI is not 0, the VNI GWLB uses"},
	ReasonNoRoute: {"no_route", "after the appliance, no route of the routed endpoint " +
		"contains the destination"},
	ReasonRouteLoop: {"route_loop", "after the appliance, the routed endpoint's next hop is " +
		"the packet's own source: the sender routes the destination through the endpoint and " +
		"the endpoint routes it back through the sender"},
}

// String returns the reason's name, e.g. "unknown_cookie".
func (r Reason) String() string {
	if r < NumReasons {
		return reasons[r].name
	}
	return "reason(" + strconv.Itoa(int(r)) + ")"
}

// Help says what the reason means, in one sentence without a final period.
func (r Reason) Help() string {
	if r < NumReasons {
		return reasons[r].help
	}
	return ""
}
