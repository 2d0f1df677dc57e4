//go:build !linux

package appliance

import (
	"errors"
	"net/netip"
)

type returnSender struct{}

func newReturnSender() (*returnSender, error) {
	return nil, errors.New("raw Geneve returns are only implemented on Linux")
}

func (r *returnSender) send([]byte, netip.Addr, uint16, netip.AddrPort) error { return nil }

func (r *returnSender) close() {}
