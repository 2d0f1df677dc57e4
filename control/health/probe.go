package health

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
)

// Result is the outcome of one probe.
type Result struct {
	OK bool
	// Reason is "" when OK; otherwise control.ReasonFailedHealthChecks
	// (refused, reset, unreachable, a TLS or HTTP failure),
	// control.ReasonTimeout (the timeout expired, connecting or waiting),
	// control.ReasonResponseCodeMismatch (a status the matcher refuses), or
	// control.ReasonInternalError (the probe could not be sent: no source
	// address, no interface, out of sockets).
	Reason string
	// Detail says what happened, for people: "connected", "status 200",
	// "connection refused", "status 503", "timed out after 5s while
	// connecting", "TLS handshake failed: ...", "malformed HTTP response ...".
	Detail string
	// StatusCode is the HTTP status received (HTTP and HTTPS), else 0.
	StatusCode int
	Start      time.Time
	Duration   time.Duration
}

// UserAgent is the User-Agent of HTTP and HTTPS checks: ELB's, so an
// appliance that recognises ELB's health checker recognises gwlbctl's.
const UserAgent = "ELB-HealthChecker/2.0"

// MaxResponseHead bounds how much of an HTTP response a check reads: the
// status line and headers (the body is never read). A longer head is a
// malformed response.
const MaxResponseHead = 16 << 10

// Prober runs single health checks. The zero Prober dials from any local
// address and uses the real clock. A Prober is safe for concurrent use.
type Prober struct {
	Dialer Dialer // nil: NewDialer(netip.Addr{}, "")
	Clock  Clock  // nil: RealClock
}

var defaultDialer Dialer = NewDialer(netip.Addr{}, "")

func (p *Prober) dialer() Dialer {
	if p.Dialer == nil {
		return defaultDialer
	}
	return p.Dialer
}

func (p *Prober) clock() Clock {
	if p.Clock == nil {
		return RealClock{}
	}
	return p.Clock
}

// errTimedOut is the cancel cause of a probe whose timeout expired.
var errTimedOut = errors.New("health check timeout expired")

// Probe checks addr once with s (protocol, port, path, matcher, timeout):
// TCP connects; HTTP and HTTPS send GET s.Path and compare the status with
// s.Matcher; HTTPS does not verify the certificate, as ELB does not. The
// connection is closed when the check ends. s.Timeout, measured on p's
// clock, bounds the whole check; ctx may end it sooner.
func (p *Prober) Probe(ctx context.Context, addr netip.Addr, s *Settings) Result {
	ctx, stop := p.arm(ctx, s.Timeout)
	defer stop()
	return p.run(ctx, addr, s)
}

// arm returns ctx canceled with errTimedOut after timeout on p's clock.
// The checker arms a probe before starting its goroutine, so a fake clock
// advanced right after the probe is due always finds the timeout set.
func (p *Prober) arm(ctx context.Context, timeout time.Duration) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	t := p.clock().AfterFunc(timeout, func() { cancel(errTimedOut) })
	return ctx, func() {
		t.Stop()
		cancel(context.Canceled)
	}
}

func (p *Prober) run(ctx context.Context, addr netip.Addr, s *Settings) Result {
	clock := p.clock()
	start := clock.Now()
	r := p.check(ctx, addr, s)
	r.Start, r.Duration = start, clock.Now().Sub(start)
	return r
}

// Stages of a check, as timeout details name them.
const (
	stageConnect   = "while connecting"
	stageHandshake = "during the TLS handshake"
	stageRequest   = "sending the request"
	stageResponse  = "waiting for the response"
)

// insecureTLS accepts any certificate (ELB does not verify targets') and
// any protocol version an appliance may still speak. The key exchange is
// classical (no post-quantum hybrid): a check has nothing to keep secret,
// the hybrid's key share makes the ClientHello span two segments, and it
// costs the prober more CPU per check (see BenchmarkChecker300/https).
var insecureTLS = &tls.Config{
	InsecureSkipVerify: true,
	MinVersion:         tls.VersionTLS10,
	CurvePreferences:   []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384},
}

// longAgo is a deadline in the past: it ends a blocked read or write.
var longAgo = time.Unix(1, 0)

func (p *Prober) check(ctx context.Context, addr netip.Addr, s *Settings) Result {
	if !addr.Is4() {
		return Result{Reason: control.ReasonInternalError, Detail: fmt.Sprintf("target address %v is not IPv4", addr)}
	}
	hostPort := netip.AddrPortFrom(addr, uint16(s.Port)).String()
	conn, err := p.dialer().DialContext(ctx, "tcp4", hostPort)
	if err != nil {
		return failure(ctx, s, stageConnect, err)
	}
	defer conn.Close()
	if s.Protocol == ProtocolTCP {
		return Result{OK: true, Detail: "connected"}
	}
	// Reads and writes do not watch ctx: a deadline in the past ends them.
	defer context.AfterFunc(ctx, func() { conn.SetDeadline(longAgo) })()
	var c net.Conn = conn
	if s.Protocol == ProtocolHTTPS {
		tc := tls.Client(conn, insecureTLS)
		if err := tc.HandshakeContext(ctx); err != nil {
			if r, ok := ended(ctx, s, stageHandshake); ok {
				return r
			}
			if local(err) {
				return failure(ctx, s, stageHandshake, err)
			}
			return Result{Reason: control.ReasonFailedHealthChecks, Detail: "TLS handshake failed: " + err.Error()}
		}
		defer tc.Close()
		c = tc
	}
	req := make([]byte, 0, 128+len(s.Path))
	req = append(req, "GET "...)
	req = append(req, s.Path...)
	req = append(req, " HTTP/1.1\r\nHost: "...)
	req = append(req, hostPort...)
	req = append(req, "\r\nUser-Agent: "+UserAgent+"\r\nAccept: */*\r\nConnection: close\r\n\r\n"...)
	if _, err := c.Write(req); err != nil {
		return failure(ctx, s, stageRequest, err)
	}
	head := &headLimit{r: c, n: MaxResponseHead}
	resp, err := http.ReadResponse(bufio.NewReader(head), nil)
	if err != nil {
		return responseFailure(ctx, s, head, err)
	}
	code := resp.StatusCode
	if !s.Matcher.Match(code) {
		return Result{Reason: control.ReasonResponseCodeMismatch, StatusCode: code, Detail: "status " + strconv.Itoa(code)}
	}
	return Result{OK: true, StatusCode: code, Detail: "status " + strconv.Itoa(code)}
}

// errHeadTooLong is what headLimit returns past MaxResponseHead.
var errHeadTooLong = errors.New("response head too long")

// headLimit reads at most n bytes from r, then fails with errHeadTooLong.
type headLimit struct {
	r io.Reader
	n int
}

func (l *headLimit) Read(b []byte) (int, error) {
	if l.n <= 0 {
		return 0, errHeadTooLong
	}
	if len(b) > l.n {
		b = b[:l.n]
	}
	n, err := l.r.Read(b)
	l.n -= n
	return n, err
}

func responseFailure(ctx context.Context, s *Settings, head *headLimit, err error) Result {
	var op *net.OpError
	switch {
	case errors.As(err, &op) || errors.Is(err, syscall.ECONNRESET):
		return failure(ctx, s, stageResponse, err)
	case errors.Is(err, errHeadTooLong):
		return Result{Reason: control.ReasonFailedHealthChecks, Detail: fmt.Sprintf("malformed HTTP response: status line and headers longer than %d bytes", MaxResponseHead)}
	case errors.Is(err, io.ErrUnexpectedEOF) && head.n == MaxResponseHead:
		if r, ok := ended(ctx, s, stageResponse); ok {
			return r
		}
		return Result{Reason: control.ReasonFailedHealthChecks, Detail: "connection closed before a response"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return Result{Reason: control.ReasonFailedHealthChecks, Detail: "malformed HTTP response: connection closed in the middle of the headers"}
	case errors.As(err, new(tls.AlertError)) || errors.As(err, new(tls.RecordHeaderError)) || strings.Contains(err.Error(), "tls: "):
		return Result{Reason: control.ReasonFailedHealthChecks, Detail: "TLS error " + stageResponse + ": " + err.Error()}
	}
	if r, ok := ended(ctx, s, stageResponse); ok {
		return r
	}
	msg := err.Error()
	if len(msg) > 120 {
		msg = strings.ToValidUTF8(msg[:120], "") + "..."
	}
	if !strings.HasPrefix(msg, "malformed HTTP response") {
		msg = "malformed HTTP response: " + msg
	}
	return Result{Reason: control.ReasonFailedHealthChecks, Detail: msg}
}

// ended reports the result of a check whose context is done: its timeout
// expired (Target.Timeout), or its caller canceled it.
func ended(ctx context.Context, s *Settings, stage string) (Result, bool) {
	if ctx.Err() == nil {
		return Result{}, false
	}
	if cause := context.Cause(ctx); errors.Is(cause, errTimedOut) || errors.Is(cause, context.DeadlineExceeded) {
		return Result{Reason: control.ReasonTimeout, Detail: fmt.Sprintf("timed out after %v %s", s.Timeout, stage)}, true
	}
	return Result{Reason: control.ReasonInternalError, Detail: "check canceled " + stage}, true
}

// local reports whether err is the node's own failure, not the target's:
// the source address is not the machine's, no interface, out of sockets,
// ports or memory, or a local firewall refused the packet.
func local(err error) bool {
	var dev *deviceError
	if errors.As(err, &dev) {
		return true
	}
	for _, e := range []syscall.Errno{syscall.EADDRNOTAVAIL, syscall.EADDRINUSE, syscall.EMFILE, syscall.ENFILE,
		syscall.ENOBUFS, syscall.ENOMEM, syscall.EPERM, syscall.EACCES, syscall.ENODEV} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// failure classifies an error of a probe's connection.
func failure(ctx context.Context, s *Settings, stage string, err error) Result {
	if r, ok := ended(ctx, s, stage); ok {
		return r
	}
	if local(err) {
		return Result{Reason: control.ReasonInternalError, Detail: "local error " + stage + ": " + err.Error()}
	}
	detail := ""
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		detail = "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		detail = "connection reset by peer " + stage
	case errors.Is(err, syscall.EPIPE):
		detail = "connection closed by the target " + stage
	case errors.Is(err, syscall.EHOSTUNREACH):
		detail = "host unreachable"
	case errors.Is(err, syscall.ENETUNREACH):
		detail = "network unreachable"
	case errors.Is(err, syscall.ETIMEDOUT):
		// The kernel gave up before the check's timeout did.
		return Result{Reason: control.ReasonTimeout, Detail: "connection timed out " + stage}
	case errors.Is(err, io.EOF):
		detail = "connection closed by the target " + stage
	default:
		detail = err.Error()
	}
	return Result{Reason: control.ReasonFailedHealthChecks, Detail: detail}
}
