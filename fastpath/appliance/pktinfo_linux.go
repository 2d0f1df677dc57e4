package appliance

import (
	"net"
	"net/netip"
	"syscall"
	"unsafe"
)

// enableControl asks the kernel, with each datagram, for its destination
// address (IP_PKTINFO, when pktinfo is set) and for the socket's count of
// datagrams dropped for want of receive buffer space (SO_RXQ_OVFL).
//
// With the destination address a socket bound to 0.0.0.0 replies from the
// address GWLB sent to: the outer addresses of the reply are then exactly
// the request's, swapped, whatever the routing table would pick. The drop
// count is the "receive buffer errors" appliance operators look for.
func enableControl(conn *net.UDPConn, pktinfo bool) (bool, error) {
	rc, err := conn.SyscallConn()
	if err != nil {
		return false, err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		// Best effort: the drop count is a diagnostic.
		_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RXQ_OVFL, 1)
		if pktinfo {
			serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IP, syscall.IP_PKTINFO, 1)
		}
	}); err != nil {
		return false, err
	}
	return pktinfo && serr == nil, serr
}

// parseControl reads the received control messages: the datagram's
// destination address (invalid without IP_PKTINFO) and the socket's
// cumulative drop count (ok false without one).
func parseControl(oob []byte) (dst netip.Addr, drops uint32, ok bool) {
	if len(oob) == 0 {
		return
	}
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		return
	}
	for _, m := range msgs {
		switch {
		case m.Header.Level == syscall.IPPROTO_IP && m.Header.Type == syscall.IP_PKTINFO && len(m.Data) >= syscall.SizeofInet4Pktinfo:
			in := (*syscall.Inet4Pktinfo)(unsafe.Pointer(&m.Data[0]))
			dst = netip.AddrFrom4(in.Addr)
		case m.Header.Level == syscall.SOL_SOCKET && m.Header.Type == syscall.SO_RXQ_OVFL && len(m.Data) >= 4:
			drops, ok = *(*uint32)(unsafe.Pointer(&m.Data[0])), true
		}
	}
	return
}

// replyFrom returns, in dst's storage, the control message that makes a
// reply leave from src.
func replyFrom(dst []byte, src netip.Addr) []byte {
	space := syscall.CmsgSpace(syscall.SizeofInet4Pktinfo)
	if cap(dst) < space {
		dst = make([]byte, space)
	}
	dst = dst[:space]
	clear(dst)
	h := (*syscall.Cmsghdr)(unsafe.Pointer(&dst[0]))
	h.Level = syscall.IPPROTO_IP
	h.Type = syscall.IP_PKTINFO
	h.SetLen(syscall.CmsgLen(syscall.SizeofInet4Pktinfo))
	out := (*syscall.Inet4Pktinfo)(unsafe.Pointer(&dst[syscall.CmsgLen(0)]))
	out.Spec_dst = src.As4()
	return dst
}
