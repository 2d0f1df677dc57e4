//go:build !linux

package appliance

import (
	"net"
	"net/netip"
)

// enableControl is Linux-only; elsewhere replies leave from the address the
// routing table picks (the same on a host with one address) and socket
// drops are not counted.
func enableControl(*net.UDPConn, bool) (bool, error) { return false, nil }

func parseControl([]byte) (netip.Addr, uint32, bool) { return netip.Addr{}, 0, false }

func replyFrom(dst []byte, _ netip.Addr) []byte { return nil }
