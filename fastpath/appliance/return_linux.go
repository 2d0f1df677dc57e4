package appliance

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"syscall"
)

// returnSender sends Geneve returns as AWS's appliance-side tunnel handler
// does: outer addresses swapped, UDP ports preserved (source = the port
// GWLB sent from, destination = the port it sent to, 6081). A UDP socket
// bound to 6081 can only send from 6081, so the return leaves through a
// raw IPv4 socket with the UDP header built here (checksum 0, valid for
// IPv4 and what AWS's handler sends). GWLB, and gwlbctl serve, accept a
// return only on destination port 6081.
type returnSender struct {
	fd     int
	mu     sync.Mutex // one scratch buffer; Workers goroutines share the sender
	buf    []byte
	closed bool
}

func newReturnSender() (*returnSender, error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_RAW|syscall.SOCK_CLOEXEC, syscall.IPPROTO_RAW)
	if err != nil {
		return nil, fmt.Errorf("raw socket for Geneve returns: %w (needs root or CAP_NET_RAW)", err)
	}
	return &returnSender{fd: fd, buf: make([]byte, 28+maxDatagram)}, nil
}

// send returns d (the Geneve datagram) from local:localPort to gwlb. An
// invalid local lets the kernel pick the source address.
func (r *returnSender) send(d []byte, local netip.Addr, localPort uint16, gwlb netip.AddrPort) error {
	if !gwlb.Addr().Is4() {
		return fmt.Errorf("geneve return to %v: IPv4 only", gwlb)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return net.ErrClosed
	}
	n := 28 + len(d)
	if n > len(r.buf) {
		return fmt.Errorf("geneve return of %d bytes: too large", len(d))
	}
	p := r.buf[:n]
	clear(p[:28])
	p[0] = 0x45
	binary.BigEndian.PutUint16(p[2:], uint16(n)) // the kernel also fills it in
	p[8] = 64                                    // TTL
	p[9] = syscall.IPPROTO_UDP
	if local.Is4() {
		s := local.As4()
		copy(p[12:16], s[:]) // zero: the kernel picks the source
	}
	dst := gwlb.Addr().As4()
	copy(p[16:20], dst[:])
	// The kernel computes the IPv4 header checksum of IPPROTO_RAW sockets.
	binary.BigEndian.PutUint16(p[20:], gwlb.Port())
	binary.BigEndian.PutUint16(p[22:], localPort)
	binary.BigEndian.PutUint16(p[24:], uint16(8+len(d)))
	copy(p[28:], d)
	return syscall.Sendto(r.fd, p, 0, &syscall.SockaddrInet4{Addr: dst})
}

func (r *returnSender) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.closed {
		r.closed = true
		syscall.Close(r.fd)
	}
}
