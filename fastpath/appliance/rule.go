package appliance

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gwlbctl/gwlbctl/fastpath/packet"
)

// Rule drops inner packets of one IP protocol, optionally only those with a
// source or destination port in [PortLo, PortHi].
type Rule struct {
	// Text is the rule as the user wrote it, for stats and logs.
	Text string
	// Protocols holds one protocol number, or two for "icmp", which
	// matches ICMP and ICMPv6.
	Protocols []uint8
	// PortLo and PortHi bound the ports matched; both 0 matches every
	// packet of the protocol. A non-first fragment carries no ports, so a
	// port rule never matches it (the receiving host cannot reassemble the
	// datagram without its first fragment anyway).
	PortLo, PortHi uint16
}

var protocolNames = map[string][]uint8{
	"tcp":    {packet.ProtoTCP},
	"udp":    {packet.ProtoUDP},
	"icmp":   {packet.ProtoICMP, packet.ProtoICMPv6},
	"icmpv4": {packet.ProtoICMP},
	"icmpv6": {packet.ProtoICMPv6},
	"sctp":   {packet.ProtoSCTP},
	"gre":    {47},
	"esp":    {packet.ProtoESP},
}

// portProtocols can carry a port condition.
var portProtocols = map[uint8]bool{packet.ProtoTCP: true, packet.ProtoUDP: true, packet.ProtoSCTP: true,
	packet.ProtoUDPLite: true, packet.ProtoDCCP: true}

// ParseRule reads a drop rule: PROTOCOL or PROTOCOL:PORT or
// PROTOCOL:LOW-HIGH, where PROTOCOL is tcp, udp, icmp (ICMP and ICMPv6),
// icmpv4, icmpv6, sctp, gre, esp or a protocol number 0-255.
func ParseRule(s string) (Rule, error) {
	r := Rule{Text: s}
	name, ports, hasPorts := strings.Cut(strings.ToLower(strings.TrimSpace(s)), ":")
	if p, ok := protocolNames[name]; ok {
		r.Protocols = p
	} else if n, err := strconv.ParseUint(name, 10, 8); err == nil {
		r.Protocols = []uint8{uint8(n)}
	} else {
		return Rule{}, fmt.Errorf("drop rule %q: unknown protocol %q; use tcp, udp, icmp, icmpv4, icmpv6, sctp, gre, esp or a number 0-255, e.g. tcp:5201", s, name)
	}
	if !hasPorts {
		return r, nil
	}
	if len(r.Protocols) != 1 || !portProtocols[r.Protocols[0]] {
		return Rule{}, fmt.Errorf("drop rule %q: only tcp, udp, sctp, udplite (136) and dccp (33) have ports", s)
	}
	lo, hi, isRange := strings.Cut(ports, "-")
	l, err1 := strconv.ParseUint(lo, 10, 16)
	h := l
	var err2 error
	if isRange {
		h, err2 = strconv.ParseUint(hi, 10, 16)
	}
	if err1 != nil || err2 != nil || l == 0 || h < l {
		return Rule{}, fmt.Errorf("drop rule %q: port must be 1-65535 or a range LOW-HIGH, e.g. tcp:5201 or udp:5000-5100", s)
	}
	r.PortLo, r.PortHi = uint16(l), uint16(h)
	return r, nil
}

// ParseRules reads several rules (flag values), failing on the first bad
// one.
func ParseRules(list []string) ([]Rule, error) {
	rules := make([]Rule, 0, len(list))
	for _, s := range list {
		r, err := ParseRule(s)
		if err != nil {
			return nil, err
		}
		rules = append(rules, r)
	}
	return rules, nil
}

// Match reports whether the rule drops the inner packet in.
func (r *Rule) Match(in *packet.Inner) bool {
	hit := false
	for _, p := range r.Protocols {
		if in.Protocol == p {
			hit = true
			break
		}
	}
	if !hit {
		return false
	}
	if r.PortLo == 0 {
		return true
	}
	if !in.HasPorts() {
		return false
	}
	return in.SrcPort >= r.PortLo && in.SrcPort <= r.PortHi || in.DstPort >= r.PortLo && in.DstPort <= r.PortHi
}

// String returns the rule as written.
func (r Rule) String() string { return r.Text }
