package health

import (
	"context"
	"net"
	"net/netip"
	"syscall"
)

// Dialer opens a probe's TCP connection. *net.Dialer is one; tests and the
// node may inject their own.
type Dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// DialFunc adapts a function to Dialer.
type DialFunc func(ctx context.Context, network, address string) (net.Conn, error)

// DialContext calls f.
func (f DialFunc) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return f(ctx, network, address)
}

// NewDialer returns the dialer a node probes with: connections leave from
// source (the node's address on the appliance network, so a probe takes
// the path and source address the data takes) and, when device is not
// empty, are bound to that interface (SO_BINDTODEVICE: the node's TAP, so
// the route table cannot send a probe out of another interface; needs
// CAP_NET_RAW). An invalid source means any address. A source that is not
// the machine's, or a device that does not exist, makes every probe fail
// with Elb.InternalError, naming the cause.
func NewDialer(source netip.Addr, device string) *net.Dialer {
	d := &net.Dialer{KeepAlive: -1} // a probe's connection lives for one check
	if source.IsValid() {
		d.LocalAddr = &net.TCPAddr{IP: source.AsSlice()}
	}
	if device != "" {
		d.Control = func(network, address string, c syscall.RawConn) error {
			var serr error
			if err := c.Control(func(fd uintptr) { serr = syscall.BindToDevice(int(fd), device) }); err != nil {
				return err
			}
			if serr != nil {
				return &net.OpError{Op: "bind", Net: network, Err: &deviceError{device: device, err: serr}}
			}
			return nil
		}
	}
	return d
}

// deviceError is a failure to bind a probe's socket to its interface: a
// local failure, never the target's.
type deviceError struct {
	device string
	err    error
}

func (e *deviceError) Error() string {
	return "binding to interface " + e.device + ": " + e.err.Error()
}
func (e *deviceError) Unwrap() error { return e.err }
