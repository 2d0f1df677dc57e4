package api

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

// ParseLookupValues reads GET /lookup's parameters:
//
//	endpoint=vpce-...   the endpoint the flow enters through (required)
//	proto=tcp           the IP protocol (name or number, as in filters)
//	src=10.0.0.1:34567  the initiator's end: ADDR:PORT for tcp and udp
//	                    ([fd00::1]:34567 for IPv6), ADDR otherwise
//	dst=10.0.1.9:443    the responder's end, likewise
func ParseLookupValues(q url.Values) (LookupRequest, error) {
	var r LookupRequest
	ep := q.Get("endpoint")
	if ep == "" {
		return r, fmt.Errorf("lookup: endpoint= is required (the vpce- id the flow enters through)")
	}
	if !isEndpointID(ep) {
		return r, &FilterError{Key: "endpoint", Value: ep, Reason: "want an endpoint id, vpce- followed by hex digits"}
	}
	r.Endpoint = ep
	ps := q.Get("proto")
	if ps == "" {
		return r, fmt.Errorf("lookup: proto= is required (tcp, udp, icmp, ... or a number)")
	}
	p, err := parseProto(ps)
	if err != nil {
		return r, &FilterError{Key: "proto", Value: ps, Reason: err.Error()}
	}
	r.Proto = p
	for _, end := range []struct {
		key string
		dst *netip.AddrPort
	}{{"src", &r.Src}, {"dst", &r.Dst}} {
		v := q.Get(end.key)
		if v == "" {
			return r, fmt.Errorf("lookup: %s= is required", end.key)
		}
		ap, err := parseFlowEnd(v, p)
		if err != nil {
			return r, &FilterError{Key: end.key, Value: v, Reason: err.Error()}
		}
		*end.dst = ap
	}
	if r.Src.Addr().Is4() != r.Dst.Addr().Is4() {
		return r, fmt.Errorf("lookup: src=%s and dst=%s are of different address families", r.Src.Addr(), r.Dst.Addr())
	}
	return r, nil
}

// hasPorts reports whether flows of proto are told apart by ports.
func hasPorts(proto uint8) bool { return proto == 6 || proto == 17 }

func parseFlowEnd(v string, proto uint8) (netip.AddrPort, error) {
	if hasPorts(proto) {
		ap, err := netip.ParseAddrPort(v)
		if err != nil || ap.Port() == 0 {
			return netip.AddrPort{}, fmt.Errorf("want ADDR:PORT for %s (10.0.0.1:34567, [fd00::1]:443)", protoName(proto))
		}
		if strings.Contains(v, "%") {
			return netip.AddrPort{}, fmt.Errorf("an address with a zone cannot be a flow's end")
		}
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		if _, err2 := netip.ParseAddrPort(v); err2 == nil {
			return netip.AddrPort{}, fmt.Errorf("ports do not apply to %s: give the address alone", protoName(proto))
		}
		return netip.AddrPort{}, fmt.Errorf("want an IP address")
	}
	if a.Zone() != "" {
		return netip.AddrPort{}, fmt.Errorf("an address with a zone cannot be a flow's end")
	}
	return netip.AddrPortFrom(a.Unmap(), 0), nil
}

// Values is the request as GET /lookup parameters (the client's encoding).
func (r *LookupRequest) Values() url.Values {
	v := url.Values{}
	v.Set("endpoint", r.Endpoint)
	v.Set("proto", protoName(r.Proto))
	for key, ap := range map[string]netip.AddrPort{"src": r.Src, "dst": r.Dst} {
		if hasPorts(r.Proto) {
			v.Set(key, ap.String())
		} else {
			v.Set(key, ap.Addr().String())
		}
	}
	return v
}
