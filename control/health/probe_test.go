package health

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
)

// probeSettings returns settings for one probe. Probes take any timeout;
// GWLB's 2-120 s range is the checker's (Settings.Validate), so probe
// tests that wait for a timeout use a short one.
func probeSettings(proto string, port int, timeout time.Duration) *Settings {
	s := DefaultSettings()
	s.Protocol, s.Port, s.Timeout = proto, port, timeout
	if proto != ProtocolTCP {
		s.Path, s.Matcher = "/", DefaultMatcher()
	}
	return &s
}

func probe(t *testing.T, p *Prober, s *Settings) Result {
	t.Helper()
	r := p.Probe(context.Background(), loopback, s)
	t.Logf("%s :%d -> ok=%v reason=%q detail=%q in %v", s.Protocol, s.Port, r.OK, r.Reason, r.Detail, r.Duration)
	return r
}

func wantResult(t *testing.T, r Result, ok bool, reason, detail string) {
	t.Helper()
	if r.OK != ok || r.Reason != reason || !strings.Contains(r.Detail, detail) {
		t.Fatalf("got ok=%v reason=%q detail=%q, want ok=%v reason=%q detail containing %q", r.OK, r.Reason, r.Detail, ok, reason, detail)
	}
}

func TestProbeTCP(t *testing.T) {
	var p Prober
	r := probe(t, &p, probeSettings(ProtocolTCP, tcpServer(t), 5*time.Second))
	wantResult(t, r, true, "", "connected")
	if r.Start.IsZero() || r.StatusCode != 0 {
		t.Fatalf("result %+v", r)
	}
}

func TestProbeRefused(t *testing.T) {
	var p Prober
	for _, proto := range []string{ProtocolTCP, ProtocolHTTP, ProtocolHTTPS} {
		r := probe(t, &p, probeSettings(proto, closedPort(t), 5*time.Second))
		wantResult(t, r, false, control.ReasonFailedHealthChecks, "connection refused")
	}
}

// TestProbeConnectTimeout: a target whose SYNs go unanswered (see
// fullBacklog) fails with Target.Timeout when the timeout expires.
func TestProbeConnectTimeout(t *testing.T) {
	var p Prober
	port := fullBacklog(t)
	for _, proto := range []string{ProtocolTCP, ProtocolHTTP} {
		r := probe(t, &p, probeSettings(proto, port, 300*time.Millisecond))
		wantResult(t, r, false, control.ReasonTimeout, "timed out after 300ms while connecting")
	}
}

func TestProbeHTTPStatus(t *testing.T) {
	var p Prober
	for _, tc := range []struct {
		matcher string
		code    int
		ok      bool
	}{
		{"200-399", 200, true},
		{"200-399", 302, true},
		{"200-399", 399, true},
		{"200-399", 404, false},
		{"200-399", 503, false},
		{"200", 200, true},
		{"200", 204, false},
		{"200,202", 202, true},
		{"200,202", 201, false},
		{"200-299", 299, true},
		{"200-299", 300, false},
	} {
		port, _ := httpServer(t, statusCode(tc.code))
		s := probeSettings(ProtocolHTTP, port, 5*time.Second)
		s.Matcher = mustMatcher(tc.matcher)
		r := probe(t, &p, s)
		if r.StatusCode != tc.code {
			t.Fatalf("status %d, want %d", r.StatusCode, tc.code)
		}
		if tc.ok {
			wantResult(t, r, true, "", "status "+strconv.Itoa(tc.code))
		} else {
			wantResult(t, r, false, control.ReasonResponseCodeMismatch, "status "+strconv.Itoa(tc.code))
		}
	}
}

// TestProbeHTTPRequest checks the request a target sees, and that the
// probe closes its connection once it has the status (no keep-alive).
func TestProbeHTTPRequest(t *testing.T) {
	type seen struct {
		req       *http.Request
		err       error
		closedEOF bool
	}
	got := make(chan seen, 1)
	port := rawServer(t, "127.0.0.1", func(c net.Conn) {
		br := bufio.NewReader(c)
		req, err := http.ReadRequest(br)
		if err != nil {
			got <- seen{err: err}
			return
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\npartial body")
		// The probe must close without reading the body or sending more.
		_, err = br.ReadByte()
		got <- seen{req: req, closedEOF: err == io.EOF}
	})
	s := probeSettings(ProtocolHTTP, port, 5*time.Second)
	s.Path = "/healthz?deep=1"
	var p Prober
	wantResult(t, probe(t, &p, s), true, "", "status 200")
	sn := <-got
	if sn.err != nil {
		t.Fatal(sn.err)
	}
	r := sn.req
	if r.Method != "GET" || r.RequestURI != "/healthz?deep=1" || r.Proto != "HTTP/1.1" ||
		r.Host != "127.0.0.1:"+strconv.Itoa(port) || r.UserAgent() != UserAgent || !r.Close {
		t.Fatalf("request %s %s %s host %q ua %q close %v", r.Method, r.RequestURI, r.Proto, r.Host, r.UserAgent(), r.Close)
	}
	if !sn.closedEOF {
		t.Fatal("the probe did not close its connection after the check")
	}
}

// TestProbeHTTPEachCheckNewConnection: consecutive checks each open and
// close their own connection.
func TestProbeHTTPEachCheckNewConnection(t *testing.T) {
	var opened, closed atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Config.ConnState = func(c net.Conn, st http.ConnState) {
		switch st {
		case http.StateNew:
			opened.Add(1)
		case http.StateClosed:
			closed.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	var p Prober
	s := probeSettings(ProtocolHTTP, portOf(t, srv.Listener.Addr()), 5*time.Second)
	for range 3 {
		wantResult(t, probe(t, &p, s), true, "", "status 200")
	}
	if opened.Load() != 3 {
		t.Fatalf("%d connections for 3 checks", opened.Load())
	}
}

func TestProbeHTTPHangs(t *testing.T) {
	var p Prober
	port, _ := blackhole(t)
	r := probe(t, &p, probeSettings(ProtocolHTTP, port, 300*time.Millisecond))
	wantResult(t, r, false, control.ReasonTimeout, "timed out after 300ms waiting for the response")
}

func TestProbeHTTPBadResponses(t *testing.T) {
	for _, tc := range []struct {
		name, answer, detail string
	}{
		{"garbage", "garbage\r\n\r\n", "malformed HTTP response"},
		{"binary", "\x00\x01\x02\xff\r\n\r\n", "malformed HTTP response"},
		{"bad status code", "HTTP/1.1 2x0 OK\r\n\r\n", "malformed HTTP response"},
		{"bad header", "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "malformed HTTP response"},
		{"closed mid-headers", "HTTP/1.1 200 OK\r\nServer: x", "malformed HTTP response: connection closed in the middle of the headers"},
		{"nothing", "", "connection closed before a response"},
		{"endless headers", "HTTP/1.1 200 OK\r\n" + strings.Repeat("X-Pad: "+strings.Repeat("a", 100)+"\r\n", 200), "malformed HTTP response: status line and headers longer than 16384 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			port := rawServer(t, "127.0.0.1", func(c net.Conn) {
				defer c.Close()
				// Read the request first, so closing does not reset it.
				http.ReadRequest(bufio.NewReader(c))
				io.WriteString(c, tc.answer)
			})
			var p Prober
			wantResult(t, probe(t, &p, probeSettings(ProtocolHTTP, port, 5*time.Second)), false, control.ReasonFailedHealthChecks, tc.detail)
		})
	}
}

func TestProbeHTTPReset(t *testing.T) {
	port := rawServer(t, "127.0.0.1", func(c net.Conn) {
		http.ReadRequest(bufio.NewReader(c))
		c.(*net.TCPConn).SetLinger(0) // close with RST
		c.Close()
	})
	var p Prober
	wantResult(t, probe(t, &p, probeSettings(ProtocolHTTP, port, 5*time.Second)), false, control.ReasonFailedHealthChecks, "connection reset by peer")
}

func TestProbeHTTPSSelfSigned(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	var p Prober
	s := probeSettings(ProtocolHTTPS, portOf(t, srv.Listener.Addr()), 5*time.Second)
	wantResult(t, probe(t, &p, s), true, "", "status 202")
	s.Matcher = mustMatcher("200")
	wantResult(t, probe(t, &p, s), false, control.ReasonResponseCodeMismatch, "status 202")
}

func TestProbeHTTPSOnPlainServer(t *testing.T) {
	var p Prober
	// An HTTP server answers the ClientHello with a plain HTTP error.
	httpPort, _ := httpServer(t, statusCode(200))
	wantResult(t, probe(t, &p, probeSettings(ProtocolHTTPS, httpPort, 5*time.Second)), false, control.ReasonFailedHealthChecks, "TLS handshake failed: ")
	// A TCP health listener accepts and closes.
	wantResult(t, probe(t, &p, probeSettings(ProtocolHTTPS, tcpServer(t), 5*time.Second)), false, control.ReasonFailedHealthChecks, "TLS handshake failed: ")
	// A silent listener never answers the ClientHello.
	silent, _ := blackhole(t)
	wantResult(t, probe(t, &p, probeSettings(ProtocolHTTPS, silent, 300*time.Millisecond)), false, control.ReasonTimeout, "timed out after 300ms during the TLS handshake")
}

// TestProbeDialErrors classifies connect errors that loopback cannot
// produce, through the Dialer seam: the kernel's errors as net.Dialer
// wraps them.
func TestProbeDialErrors(t *testing.T) {
	for _, tc := range []struct {
		errno          syscall.Errno
		reason, detail string
	}{
		{syscall.ENETUNREACH, control.ReasonFailedHealthChecks, "network unreachable"},
		{syscall.EHOSTUNREACH, control.ReasonFailedHealthChecks, "host unreachable"},
		{syscall.ECONNRESET, control.ReasonFailedHealthChecks, "connection reset by peer while connecting"},
		{syscall.ETIMEDOUT, control.ReasonTimeout, "connection timed out while connecting"},
		{syscall.EADDRNOTAVAIL, control.ReasonInternalError, "local error while connecting"},
		{syscall.EMFILE, control.ReasonInternalError, "local error while connecting"},
		{syscall.EPERM, control.ReasonInternalError, "local error while connecting"},
	} {
		p := Prober{Dialer: DialFunc(func(ctx context.Context, network, address string) (net.Conn, error) {
			return nil, &net.OpError{Op: "dial", Net: network, Err: os.NewSyscallError("connect", tc.errno)}
		})}
		r := p.Probe(context.Background(), netip.MustParseAddr("10.0.0.1"), probeSettings(ProtocolTCP, 80, 5*time.Second))
		if r.OK || r.Reason != tc.reason || !strings.Contains(r.Detail, tc.detail) {
			t.Errorf("%v: got %q %q, want %q %q", tc.errno, r.Reason, r.Detail, tc.reason, tc.detail)
		}
	}
	var p Prober
	r := p.Probe(context.Background(), netip.MustParseAddr("::1"), probeSettings(ProtocolTCP, 80, time.Second))
	wantResult(t, r, false, control.ReasonInternalError, "not IPv4")
}

// TestProbeSourceAddress: NewDialer's probes leave from the given address.
func TestProbeSourceAddress(t *testing.T) {
	from := make(chan string, 1)
	port := rawServer(t, "127.0.0.1", func(c net.Conn) {
		from <- c.RemoteAddr().(*net.TCPAddr).IP.String()
		c.Close()
	})
	for _, src := range []string{"127.0.0.1", "127.0.0.2"} {
		p := Prober{Dialer: NewDialer(netip.MustParseAddr(src), "")}
		wantResult(t, probe(t, &p, probeSettings(ProtocolTCP, port, 5*time.Second)), true, "", "connected")
		if got := <-from; got != src {
			t.Errorf("probe from %s arrived from %s", src, got)
		}
	}
	// An address that is not the machine's cannot be bound: nothing is
	// sent, and the failure is the node's, not the target's.
	p := Prober{Dialer: NewDialer(netip.MustParseAddr("192.0.2.1"), "")}
	wantResult(t, probe(t, &p, probeSettings(ProtocolTCP, port, 5*time.Second)), false, control.ReasonInternalError, "cannot assign requested address")
}

func TestProbeDevice(t *testing.T) {
	port := tcpServer(t)
	p := Prober{Dialer: NewDialer(loopback, "lo")}
	r := probe(t, &p, probeSettings(ProtocolTCP, port, 5*time.Second))
	if r.Reason == control.ReasonInternalError && strings.Contains(r.Detail, "operation not permitted") {
		t.Skip("binding to an interface needs CAP_NET_RAW")
	}
	wantResult(t, r, true, "", "connected")
	p = Prober{Dialer: NewDialer(loopback, "nosuchif0")}
	wantResult(t, probe(t, &p, probeSettings(ProtocolTCP, port, 5*time.Second)), false, control.ReasonInternalError, "binding to interface nosuchif0")
}

func TestProbeCanceled(t *testing.T) {
	port, accepted := blackhole(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Result)
	var p Prober
	go func() { done <- p.Probe(ctx, loopback, probeSettings(ProtocolHTTP, port, time.Minute)) }()
	<-accepted
	cancel()
	wantResult(t, <-done, false, control.ReasonInternalError, "check canceled waiting for the response")
	// A caller's deadline counts as the check's timeout.
	ctx, cancel = context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	r := p.Probe(ctx, loopback, probeSettings(ProtocolHTTP, port, time.Minute))
	wantResult(t, r, false, control.ReasonTimeout, "timed out")
}

// TestProbeTimeoutOnClock: the timeout is measured on the Prober's clock.
func TestProbeTimeoutOnClock(t *testing.T) {
	port, accepted := blackhole(t)
	clock := newFakeClock()
	p := Prober{Clock: clock}
	done := make(chan Result)
	go func() {
		done <- p.Probe(context.Background(), loopback, probeSettings(ProtocolHTTP, port, 5*time.Second))
	}()
	<-accepted
	select {
	case r := <-done:
		t.Fatalf("probe ended before its timeout: %+v", r)
	default:
	}
	clock.Advance(5 * time.Second)
	r := <-done
	wantResult(t, r, false, control.ReasonTimeout, "timed out after 5s waiting for the response")
	if r.Duration != 5*time.Second {
		t.Fatalf("duration %v on the fake clock, want 5s", r.Duration)
	}
}

func TestLocalErrors(t *testing.T) {
	if local(errors.New("x")) || !local(&net.OpError{Err: &deviceError{device: "x", err: syscall.ENODEV}}) {
		t.Fatal("local")
	}
}
