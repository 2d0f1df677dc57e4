package appliance

import (
	"net"
	"syscall"
	"unsafe"
)

// enablePktinfo asks the kernel for each datagram's destination address
// (IP_PKTINFO), so a socket bound to 0.0.0.0 can reply from the address
// GWLB sent to: the outer addresses of the reply are then exactly the
// request's, swapped, whatever the routing table would pick.
func enablePktinfo(conn *net.UDPConn) (bool, error) {
	rc, err := conn.SyscallConn()
	if err != nil {
		return false, err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IP, syscall.IP_PKTINFO, 1)
	}); err != nil {
		return false, err
	}
	return serr == nil, serr
}

// replyPktinfo returns, in dst's storage, the control message that makes a
// reply leave from the destination address found in the received control
// messages oob, or nil when oob has none.
func replyPktinfo(dst, oob []byte) []byte {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		return nil
	}
	for _, m := range msgs {
		if m.Header.Level != syscall.IPPROTO_IP || m.Header.Type != syscall.IP_PKTINFO || len(m.Data) < syscall.SizeofInet4Pktinfo {
			continue
		}
		in := (*syscall.Inet4Pktinfo)(unsafe.Pointer(&m.Data[0]))
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
		out.Spec_dst = in.Addr // source of the reply = destination of the request
		return dst
	}
	return nil
}
