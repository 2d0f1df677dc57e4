package api

import (
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// FlowFilter selects flows. Each non-empty field is a condition; a flow
// matches when it meets every condition, and a condition is met when any of
// its values matches. The zero filter matches every flow.
//
// Text syntax (ParseFlowFilter, what a person types): terms separated by
// spaces, each key=value with values separated by commas:
//
//	endpoint=vpce-0123456789abcdef0   the flow's endpoint id
//	target=i-0123456789abcdef0        the target's id or IP address
//	addr=10.0.0.0/8                   either end's address in the prefix
//	src=10.0.0.1  dst=fd00::/64       the initiator's / responder's address
//	proto=tcp                         tcp, udp, icmp, icmpv6, sctp, gre,
//	                                  esp, ah or a number 0-255
//	port=443  port=8000-8999          either end's port, or a range
//
// A bare term is read by its shape: a protocol name is proto=, an address
// or prefix addr=, a number or range port=, vpce-... endpoint=, i-...
// target=. So "tcp 10.1.0.0/16 443" is "proto=tcp addr=10.1.0.0/16
// port=443". In a URL (GET /flows) each key is a query parameter and a
// repeated parameter adds values, as commas do.
type FlowFilter struct {
	Endpoints []string
	Targets   []TargetMatch
	Addrs     []netip.Prefix
	Srcs      []netip.Prefix
	Dsts      []netip.Prefix
	Protos    []uint8
	Ports     []PortRange
}

// TargetMatch is one target= value: an id, or an IP address (IP valid)
// that matches the target's id or address.
type TargetMatch struct {
	ID string
	IP netip.Addr
}

// PortRange is an inclusive port range (Lo == Hi for one port).
type PortRange struct{ Lo, Hi uint16 }

// Filter keys, in canonical order.
const (
	FilterEndpoint = "endpoint"
	FilterTarget   = "target"
	FilterAddr     = "addr"
	FilterSrc      = "src"
	FilterDst      = "dst"
	FilterProto    = "proto"
	FilterPort     = "port"
)

var filterKeys = []string{FilterEndpoint, FilterTarget, FilterAddr, FilterSrc, FilterDst, FilterProto, FilterPort}

// protoNames are the protocol names the syntax knows.
var protoNames = []struct {
	name string
	num  uint8
}{{"icmp", 1}, {"tcp", 6}, {"udp", 17}, {"gre", 47}, {"esp", 50}, {"ah", 51}, {"icmpv6", 58}, {"sctp", 132}}

// FilterError is a filter (or lookup) value the node cannot use. Its
// message names the term and says what is expected.
type FilterError struct {
	Key, Value string
	Reason     string
}

func (e *FilterError) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("filter term %q: %s", e.Value, e.Reason)
	}
	return fmt.Sprintf("filter %s=%q: %s", e.Key, e.Value, e.Reason)
}

// ParseFlowFilter parses the text syntax (see FlowFilter).
func ParseFlowFilter(s string) (FlowFilter, error) {
	var f FlowFilter
	for _, term := range strings.Fields(s) {
		key, vals, ok := strings.Cut(term, "=")
		if !ok {
			key = guessKey(term)
			if key == "" {
				return FlowFilter{}, &FilterError{Value: term, Reason: "not a protocol, address, prefix, port, vpce- endpoint or i- target; write key=value (keys: " + strings.Join(filterKeys, ", ") + ")"}
			}
			vals = term
		}
		if err := f.add(key, vals); err != nil {
			return FlowFilter{}, err
		}
	}
	return f, nil
}

// FlowFilterFromValues reads the filter keys of URL query values; other
// keys are ignored (the handler checks them).
func FlowFilterFromValues(v url.Values) (FlowFilter, error) {
	var f FlowFilter
	for _, key := range filterKeys {
		for _, vals := range v[key] {
			if err := f.add(key, vals); err != nil {
				return FlowFilter{}, err
			}
		}
	}
	return f, nil
}

// guessKey reads a bare term by its shape ("" when it has none).
func guessKey(term string) string {
	first, _, _ := strings.Cut(term, ",")
	switch {
	case strings.HasPrefix(first, "vpce-"):
		return FilterEndpoint
	case strings.HasPrefix(first, "i-"):
		return FilterTarget
	}
	if _, err := parseProto(first); err == nil && (first[0] < '0' || first[0] > '9') {
		return FilterProto
	}
	if _, err := parsePrefix(first); err == nil {
		return FilterAddr
	}
	if _, err := parsePortRange(first); err == nil {
		return FilterPort
	}
	return ""
}

// add parses the comma-separated values of one key.
func (f *FlowFilter) add(key, vals string) error {
	if !slices.Contains(filterKeys, key) {
		return &FilterError{Value: key + "=" + vals, Reason: "unknown key " + strconv.Quote(key) + "; keys: " + strings.Join(filterKeys, ", ")}
	}
	if vals == "" {
		return &FilterError{Key: key, Value: vals, Reason: "empty value"}
	}
	for _, v := range strings.Split(vals, ",") {
		bad := func(reason string) error { return &FilterError{Key: key, Value: v, Reason: reason} }
		switch key {
		case FilterEndpoint:
			if !isEndpointID(v) {
				return bad("want an endpoint id, vpce- followed by hex digits")
			}
			f.Endpoints = append(f.Endpoints, v)
		case FilterTarget:
			m, err := parseTargetMatch(v)
			if err != nil {
				return bad(err.Error())
			}
			f.Targets = append(f.Targets, m)
		case FilterAddr, FilterSrc, FilterDst:
			p, err := parsePrefix(v)
			if err != nil {
				return bad(err.Error())
			}
			dst := map[string]*[]netip.Prefix{FilterAddr: &f.Addrs, FilterSrc: &f.Srcs, FilterDst: &f.Dsts}[key]
			*dst = append(*dst, p)
		case FilterProto:
			p, err := parseProto(v)
			if err != nil {
				return bad(err.Error())
			}
			f.Protos = append(f.Protos, p)
		case FilterPort:
			r, err := parsePortRange(v)
			if err != nil {
				return bad(err.Error())
			}
			f.Ports = append(f.Ports, r)
		}
	}
	return nil
}

func isEndpointID(s string) bool {
	hex, ok := strings.CutPrefix(s, "vpce-")
	return ok && isHexID(hex)
}

// isHexID reports whether s is the hex part of an AWS id (1-17 lower-case
// hex digits; filters match whole ids, so a short one matches nothing).
func isHexID(hex string) bool {
	if hex == "" || len(hex) > 17 {
		return false
	}
	for _, c := range hex {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func parseTargetMatch(v string) (TargetMatch, error) {
	if ip, err := netip.ParseAddr(v); err == nil {
		return TargetMatch{ID: ip.String(), IP: ip.Unmap()}, nil
	}
	if hex, ok := strings.CutPrefix(v, "i-"); ok && isHexID(hex) {
		return TargetMatch{ID: v}, nil
	}
	return TargetMatch{}, fmt.Errorf("want a target id (i-0123456789abcdef0) or an IP address")
}

func parsePrefix(v string) (netip.Prefix, error) {
	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("want an IP address or prefix (10.0.0.0/8, fd00::/64)")
		}
		if p.Addr().Is4In6() {
			return netip.Prefix{}, fmt.Errorf("write an IPv4-mapped prefix as IPv4")
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("want an IP address or prefix (10.0.0.0/8, fd00::/64)")
	}
	a = a.Unmap().WithZone("")
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func parseProto(v string) (uint8, error) {
	for _, p := range protoNames {
		if strings.EqualFold(v, p.name) {
			return p.num, nil
		}
	}
	n, err := strconv.ParseUint(v, 10, 8)
	if err != nil {
		names := make([]string, len(protoNames))
		for i, p := range protoNames {
			names[i] = p.name
		}
		return 0, fmt.Errorf("want %s or a protocol number 0-255", strings.Join(names, ", "))
	}
	return uint8(n), nil
}

func protoName(n uint8) string {
	for _, p := range protoNames {
		if p.num == n {
			return p.name
		}
	}
	return strconv.Itoa(int(n))
}

func parsePortRange(v string) (PortRange, error) {
	lo, hi, isRange := strings.Cut(v, "-")
	if !isRange {
		hi = lo
	}
	l, err1 := parsePort(lo)
	h, err2 := parsePort(hi)
	if err1 != nil || err2 != nil {
		return PortRange{}, fmt.Errorf("want a port 1-65535 or a range LO-HI")
	}
	if l > h {
		return PortRange{}, fmt.Errorf("range %d-%d is empty: write the lower port first", l, h)
	}
	return PortRange{Lo: l, Hi: h}, nil
}

func parsePort(s string) (uint16, error) {
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("bad port")
	}
	return uint16(n), nil
}

// IsZero reports whether the filter matches every flow.
func (f *FlowFilter) IsZero() bool {
	return len(f.Endpoints) == 0 && len(f.Targets) == 0 && len(f.Addrs) == 0 && len(f.Srcs) == 0 &&
		len(f.Dsts) == 0 && len(f.Protos) == 0 && len(f.Ports) == 0
}

// Match reports whether fl meets every condition of the filter. It does
// not allocate.
func (f *FlowFilter) Match(fl *Flow) bool {
	if len(f.Endpoints) > 0 && !slices.Contains(f.Endpoints, fl.Endpoint) {
		return false
	}
	if len(f.Protos) > 0 && !slices.Contains(f.Protos, fl.Proto) {
		return false
	}
	if len(f.Targets) > 0 && !f.matchTarget(fl) {
		return false
	}
	src, dst := fl.Src.Addr(), fl.Dst.Addr()
	if len(f.Addrs) > 0 && !anyContains(f.Addrs, src) && !anyContains(f.Addrs, dst) {
		return false
	}
	if len(f.Srcs) > 0 && !anyContains(f.Srcs, src) {
		return false
	}
	if len(f.Dsts) > 0 && !anyContains(f.Dsts, dst) {
		return false
	}
	if len(f.Ports) > 0 && !f.matchPort(fl.Src.Port()) && !f.matchPort(fl.Dst.Port()) {
		return false
	}
	return true
}

func (f *FlowFilter) matchTarget(fl *Flow) bool {
	for _, t := range f.Targets {
		if t.ID == fl.Target || t.IP.IsValid() && t.IP == fl.TargetIP {
			return true
		}
	}
	return false
}

func (f *FlowFilter) matchPort(p uint16) bool {
	if p == 0 {
		return false
	}
	for _, r := range f.Ports {
		if p >= r.Lo && p <= r.Hi {
			return true
		}
	}
	return false
}

func anyContains(ps []netip.Prefix, a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// terms returns the filter as (key, comma-joined values) in canonical order.
func (f *FlowFilter) terms() [][2]string {
	var out [][2]string
	add := func(key string, n int, val func(i int) string) {
		if n == 0 {
			return
		}
		vs := make([]string, n)
		for i := range vs {
			vs[i] = val(i)
		}
		out = append(out, [2]string{key, strings.Join(vs, ",")})
	}
	add(FilterEndpoint, len(f.Endpoints), func(i int) string { return f.Endpoints[i] })
	add(FilterTarget, len(f.Targets), func(i int) string { return f.Targets[i].ID })
	prefix := func(ps []netip.Prefix) func(int) string {
		return func(i int) string {
			if ps[i].IsSingleIP() {
				return ps[i].Addr().String()
			}
			return ps[i].String()
		}
	}
	add(FilterAddr, len(f.Addrs), prefix(f.Addrs))
	add(FilterSrc, len(f.Srcs), prefix(f.Srcs))
	add(FilterDst, len(f.Dsts), prefix(f.Dsts))
	add(FilterProto, len(f.Protos), func(i int) string { return protoName(f.Protos[i]) })
	add(FilterPort, len(f.Ports), func(i int) string {
		r := f.Ports[i]
		if r.Lo == r.Hi {
			return strconv.Itoa(int(r.Lo))
		}
		return strconv.Itoa(int(r.Lo)) + "-" + strconv.Itoa(int(r.Hi))
	})
	return out
}

// String is the filter in canonical text syntax; ParseFlowFilter reads it
// back to an equal filter.
func (f FlowFilter) String() string {
	var b strings.Builder
	for i, t := range f.terms() {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t[0])
		b.WriteByte('=')
		b.WriteString(t[1])
	}
	return b.String()
}

// Values is the filter as URL query parameters (the client's encoding).
func (f *FlowFilter) Values() url.Values {
	v := url.Values{}
	for _, t := range f.terms() {
		v.Set(t[0], t[1])
	}
	return v
}
