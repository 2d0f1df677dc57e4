//go:build !linux

package appliance

import "net"

// enablePktinfo is Linux-only; elsewhere replies leave from the address the
// routing table picks, which is the same on a host with one address.
func enablePktinfo(*net.UDPConn) (bool, error) { return false, nil }

func replyPktinfo(dst, oob []byte) []byte { return nil }
