// Package appliance is a reference Geneve appliance for AWS Gateway Load
// Balancer targets, behaving as AWS's appliance-side tunnel handler does on
// the wire: it receives GWLB's Geneve datagrams on UDP port 6081 and sends
// each one back unchanged (same Geneve header and options, same inner
// packet) with the outer addresses swapped and the UDP ports kept as they
// were: from the address GWLB sent to, to GWLB's address, from GWLB's
// source port to port 6081. A UDP socket bound to 6081 cannot send from
// another port, so returns leave through a raw IPv4 socket (root or
// CAP_NET_RAW); Config.SocketReturn sends them from the Geneve socket
// instead (ports swapped), which GWLB and gwlbctl serve drop. Like AWS's
// handler it drops a packet unless the endpoint id, attachment id and flow
// cookie options are all present.
//
// On top of that it counts traffic per endpoint and per flow (both
// directions of a flow under one entry), can drop inner packets by
// protocol and port (so tests can prove traffic really crosses it), answers
// health checks on a TCP port and on HTTP (/health), and serves its
// counters as JSON (GET /stats). It is a test and demonstration tool, not a
// firewall: it does not inspect beyond the inner IP and transport headers.
//
// With Config.Route it behaves as a router instead, as firewalls do: it
// returns no link-local, multicast or neighbour discovery packet and
// decrements the TTL or hop limit of what it returns.
//
// Deviation from a real appliance: packets with an unknown critical Geneve
// option are dropped (RFC 8926 requires it; AWS's handler has no such
// options to see), and malformed inner packets are dropped and counted
// rather than handed to an operating system that would drop them.
package appliance

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/gwlbctl/gwlbctl/fastpath/flow"
	"github.com/gwlbctl/gwlbctl/fastpath/packet"
)

// Defaults for Config.
const (
	DefaultListen      = "0.0.0.0:6081"
	DefaultFlowTimeout = flow.DefaultTCPIdleTimeout // GWLB's TCP idle timeout
	DefaultMaxFlows    = 1 << 20
	// maxDatagram holds the largest Geneve datagram GWLB sends (8500-byte
	// inner packet + 40-byte header) with room to spare.
	maxDatagram = 9216
)

// Config is what an appliance runs with.
type Config struct {
	// Listen is the UDP address for Geneve (default 0.0.0.0:6081). With an
	// unspecified address, replies leave from the address each datagram
	// was sent to (IP_PKTINFO), as a reply to GWLB must.
	Listen string
	// SocketReturn sends returns from the Geneve socket (source port 6081,
	// destination GWLB's source port) instead of as AWS's handler does
	// (ports preserved: source GWLB's source port, destination 6081, sent
	// through a raw socket, which needs root or CAP_NET_RAW). GWLB and
	// gwlbctl serve drop socket returns; tests without privileges use it.
	SocketReturn bool
	// Route makes the appliance behave as a router, as a firewall does,
	// instead of as AWS's handler (a wire): it does not return what a
	// router does not forward (link-local traffic, multicast and
	// broadcast, IPv6 neighbour discovery; see Check) and it decrements
	// the TTL or hop limit of what it returns, dropping a packet whose
	// TTL runs out (without the ICMP time exceeded a router would send).
	Route bool
	// Drop holds the drop rules applied to inner packets.
	Drop []Rule
	// HealthTCP is a TCP address that accepts (and closes) connections
	// while healthy, for GWLB's TCP health check; empty: none.
	HealthTCP string
	// HTTP is the address of the HTTP server: GET / and /health (200 while
	// healthy, 503 when not), POST /health?healthy=false|true, GET /stats;
	// empty: none.
	HTTP string
	// Workers is the number of goroutines reading the socket (default 1).
	Workers int
	// FlowTimeout forgets flows idle this long (default 350 s).
	FlowTimeout time.Duration
	// MaxFlows bounds the flow counters kept (default 1M); packets of
	// flows beyond it are returned but counted only in the totals.
	MaxFlows int
	// Log receives start, stop and error messages (nil: discarded).
	Log *slog.Logger
}

// Validate fills defaults and checks the configuration.
func (c *Config) Validate() error {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if _, err := netip.ParseAddrPort(c.Listen); err != nil {
		return fmt.Errorf("listen address %q: want IPv4:PORT, e.g. 0.0.0.0:6081: %w", c.Listen, err)
	}
	if c.Workers <= 0 {
		c.Workers = 1
	}
	if c.FlowTimeout <= 0 {
		c.FlowTimeout = DefaultFlowTimeout
	}
	if c.MaxFlows <= 0 {
		c.MaxFlows = DefaultMaxFlows
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Appliance is a running reference appliance.
type Appliance struct {
	cfg      Config
	conn     *net.UDPConn
	pktinfo  bool
	ret      *returnSender // nil: returns leave from the Geneve socket
	counters *counters
	health   *health
	start    time.Time
	now      func() time.Time
}

// New opens the Geneve socket and the health listeners. Call Run to serve,
// or Close to release them.
func New(cfg Config) (*Appliance, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ap, _ := netip.ParseAddrPort(cfg.Listen)
	conn, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(ap))
	if err != nil {
		return nil, fmt.Errorf("geneve socket %s: %w (is another appliance running, or is the port in use?)", cfg.Listen, err)
	}
	a := &Appliance{cfg: cfg, conn: conn, counters: newCounters(cfg.MaxFlows), start: time.Now(), now: time.Now}
	a.pktinfo, err = enableControl(conn, ap.Addr().IsUnspecified())
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("geneve socket %s: enabling IP_PKTINFO: %w", cfg.Listen, err)
	}
	if !cfg.SocketReturn {
		if a.ret, err = newReturnSender(); err != nil {
			conn.Close()
			return nil, fmt.Errorf("geneve returns: %w; or set SocketReturn (returns then come from port 6081, which GWLB drops)", err)
		}
	}
	_ = conn.SetReadBuffer(8 << 20) // best effort: rmem_max may cap it
	_ = conn.SetWriteBuffer(8 << 20)
	a.health, err = newHealth(cfg.HealthTCP, cfg.HTTP, a)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return a, nil
}

// GeneveAddr returns the bound Geneve UDP address.
func (a *Appliance) GeneveAddr() netip.AddrPort {
	return a.conn.LocalAddr().(*net.UDPAddr).AddrPort()
}

// HealthTCPAddr and HTTPAddr return the bound health addresses (empty when
// not configured): useful with port 0.
func (a *Appliance) HealthTCPAddr() string { return a.health.tcpAddr() }

// HTTPAddr returns the bound HTTP address, or "" without one.
func (a *Appliance) HTTPAddr() string { return a.health.httpAddr() }

// SetHealthy switches the health answers: while unhealthy the TCP health
// port is closed and /health answers 503. Geneve traffic is still returned,
// as an appliance that fails its health check may still pass packets.
func (a *Appliance) SetHealthy(ok bool) error { return a.health.set(ok) }

// Stats returns the counters, with at most maxFlows flows, most recently
// seen first (negative: all flows, 0: none).
func (a *Appliance) Stats(maxFlows int) Stats {
	s := a.counters.snapshot(maxFlows)
	s.Listen = a.GeneveAddr().String()
	s.Healthy = a.health.healthy()
	s.Route = a.cfg.Route
	s.UptimeSeconds = time.Since(a.start).Seconds()
	s.SocketReceiveDrops = a.counters.socketDrops.Load()
	s.Rules = make([]string, len(a.cfg.Drop))
	for i, r := range a.cfg.Drop {
		s.Rules[i] = r.Text
	}
	return s
}

// Run serves until ctx is done, then closes every socket and returns nil;
// it returns an error only when serving fails.
func (a *Appliance) Run(ctx context.Context) error {
	a.cfg.Log.Info("appliance started", "geneve", a.GeneveAddr().String(), "health_tcp", a.HealthTCPAddr(),
		"http", a.HTTPAddr(), "drop_rules", len(a.cfg.Drop), "route", a.cfg.Route)
	var wg sync.WaitGroup
	errs := make(chan error, a.cfg.Workers+1)
	a.health.serve(&wg, errs)
	for i := 0; i < a.cfg.Workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := a.loop(); err != nil {
				errs <- err
			}
		}()
	}
	ticker := time.NewTicker(a.cfg.FlowTimeout / 10)
	defer ticker.Stop()
	var runErr error
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case err := <-errs:
			runErr = err
			break loop
		case <-ticker.C:
			a.counters.expire(a.now().Add(-a.cfg.FlowTimeout))
		}
	}
	a.Close()
	wg.Wait()
	s := a.Stats(0)
	a.cfg.Log.Info("appliance stopped", "received", s.Received, "returned", s.Returned, "dropped", s.Dropped)
	return runErr
}

// Close releases the sockets; Run returns after it.
func (a *Appliance) Close() error {
	err := a.conn.Close()
	a.health.close()
	if a.ret != nil {
		a.ret.close()
	}
	return err
}

// loop reads, checks and returns datagrams until the socket is closed.
func (a *Appliance) loop() error {
	buf := make([]byte, maxDatagram)
	oob := make([]byte, 128)
	reply := make([]byte, 0, 64)
	var g packet.Geneve
	var in packet.Inner
	for {
		n, oobn, _, from, err := a.conn.ReadMsgUDPAddrPort(buf, oob)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			a.cfg.Log.Warn("geneve receive", "err", err)
			continue
		}
		reason, rule := a.Check(buf[:n], &g, &in)
		gp, ip := &g, &in
		if reason == DropMalformedGeneve {
			gp = nil
		}
		if reason == DropMalformedGeneve || reason == DropMissingOptions || reason == DropUnknownCritical ||
			reason == DropNotIP || reason == DropMalformedInner {
			ip = nil
		}
		dst, drops, hasDrops := parseControl(oob[:oobn])
		if hasDrops {
			a.counters.socketDrops.Store(drops)
		}
		// Count before sending, so whoever sees the return also sees it
		// counted; a failed send is moved to the drops afterwards.
		a.counters.count(n, gp, ip, from, reason, rule, a.now())
		if reason != "" {
			continue
		}
		if a.cfg.Route {
			decrementTTL(buf[g.HeaderLen:n], in.Version) // Check left it above 1
		}
		var cm []byte
		if a.pktinfo && dst.IsValid() {
			cm = replyFrom(reply[:0], dst)
		}
		if a.ret != nil {
			local := dst
			if !local.IsValid() {
				local = a.GeneveAddr().Addr()
			}
			err = a.ret.send(buf[:n], local, a.GeneveAddr().Port(), from)
		} else {
			_, _, err = a.conn.WriteMsgUDPAddrPort(buf[:n], cm, from)
		}
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			a.counters.sendFailed(n, gp)
			a.cfg.Log.Warn("geneve send", "to", from.String(), "err", err)
		}
	}
}

// Check decides what happens to one Geneve datagram (the UDP payload): it
// returns "" when the datagram goes back to GWLB, else the drop reason and,
// for DropRule, the rule's text. g and in receive the parsed headers. With
// Config.Route, inner packets a router does not forward are dropped before
// the rules: DropNeighborDiscovery (ICMPv6 133-137), DropLinkLocal (a
// link-local source or destination, 169.254/16 or fe80::/10, or an
// unspecified source), DropMulticast (a multicast or broadcast
// destination) and DropTTLExpired (TTL or hop limit 0 or 1).
func (a *Appliance) Check(d []byte, g *packet.Geneve, in *packet.Inner) (reason, rule string) {
	if packet.ParseGeneve(d, g) != nil {
		return DropMalformedGeneve, ""
	}
	if !g.HasAWSOptions() {
		return DropMissingOptions, ""
	}
	if g.UnknownCritical {
		return DropUnknownCritical, ""
	}
	if g.ProtocolType != packet.EtherTypeIPv4 && g.ProtocolType != packet.EtherTypeIPv6 {
		return DropNotIP, ""
	}
	inner := d[g.HeaderLen:]
	if packet.ParseL3(inner, in) != nil ||
		(in.Version == 4) != (g.ProtocolType == packet.EtherTypeIPv4) {
		return DropMalformedInner, ""
	}
	if a.cfg.Route {
		if r := notRouted(inner, in); r != "" {
			return r, ""
		}
	}
	for i := range a.cfg.Drop {
		if a.cfg.Drop[i].Match(in) {
			return DropRule, a.cfg.Drop[i].Text
		}
	}
	return "", ""
}

// notRouted returns why a router would not forward the inner packet ip
// (summarised in in), or "".
func notRouted(ip []byte, in *packet.Inner) string {
	if in.Version == 6 && in.Protocol == packet.ProtoICMPv6 && !in.IsLaterFragment() &&
		in.ICMPType >= packet.ICMPv6RouterSolicitation && in.ICMPType <= packet.ICMPv6Redirect {
		return DropNeighborDiscovery
	}
	src := netip.AddrFrom16(in.Src).Unmap()
	dst := netip.AddrFrom16(in.Dst).Unmap()
	switch {
	case src.IsLinkLocalUnicast() || dst.IsLinkLocalUnicast() || src.IsUnspecified():
		return DropLinkLocal
	case dst.IsMulticast() || dst == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return DropMulticast
	}
	ttl := ip[packet.IPv6HopLimitOffset]
	if in.Version == 4 {
		ttl = ip[packet.IPv4TTLOffset]
	}
	if ttl <= 1 {
		return DropTTLExpired
	}
	return ""
}

// decrementTTL lowers the TTL (IPv4, header checksum updated) or hop
// limit (IPv6) of the inner packet ip, as a router forwarding it does.
func decrementTTL(ip []byte, version uint8) {
	if version == 4 {
		packet.DecrementTTL(ip)
	} else {
		packet.DecrementHopLimit(ip)
	}
}
