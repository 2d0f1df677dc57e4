package node

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gwlbctl/gwlbctl/fastpath/dpdk"
	"github.com/gwlbctl/gwlbctl/fastpath/kernel"
)

// A node holds an exclusive lock (kernel.AcquireLock) on everything of the
// host it must not share: every kernel interface and PCI device its ports
// use, its exception TAP's interface and its API socket. A second serve on
// any of them is refused before it starts DPDK, with the first one's pid.
// Kernel interfaces are named per network namespace, so their keys carry
// the namespace: two nodes in two namespaces may each have an "eth1".

// nodeLocks are the locks a node holds.
type nodeLocks struct {
	held   []*kernel.Lock
	socket *kernel.Lock // handed to the API listener, which releases it
}

// acquireLocks takes the node's locks under dir (kernel.DefaultRunDir when
// empty, created 0755 if missing), or fails naming what is in use and by
// which pid; on failure it holds nothing.
func acquireLocks(dir string, cfg *Config) (_ *nodeLocks, err error) {
	l := &nodeLocks{}
	defer func() {
		if err != nil {
			l.release()
		}
	}()
	ns := netnsID()
	for i, d := range cfg.devices {
		for _, k := range d.HostKeys() {
			lk, err := kernel.AcquireLock(dir, scopeKey(ns, k), "device "+d.Spec+" ("+cfg.deviceKey(i)+")")
			if err != nil {
				return nil, fmt.Errorf("%s: %w", cfg.deviceKey(i), err)
			}
			l.held = append(l.held, lk)
		}
	}
	if tap := cfg.Appliance.TAP; tap != "" {
		lk, err := kernel.AcquireLock(dir, scopeKey(ns, dpdk.InterfaceKey(tap)), "exception TAP "+tap)
		if err != nil {
			return nil, fmt.Errorf("appliance.tap: %w", err)
		}
		l.held = append(l.held, lk)
	}
	for i, r := range cfg.routed {
		if r == nil {
			continue
		}
		tap := cfg.Endpoints[i].TAP
		lk, err := kernel.AcquireLock(dir, scopeKey(ns, dpdk.InterfaceKey(tap)), "exception TAP "+tap)
		if err != nil {
			return nil, fmt.Errorf("endpoints[%d].tap: %w", i, err)
		}
		l.held = append(l.held, lk)
	}
	if s := cfg.API.Socket; s != "" {
		key, err := kernel.SocketKey(s)
		if err != nil {
			return nil, fmt.Errorf("api.socket: %w", err)
		}
		if l.socket, err = kernel.AcquireLock(dir, key, "API socket "+s); err != nil {
			return nil, fmt.Errorf("api.socket: %w", err)
		}
	}
	return l, nil
}

// socketCloser is the socket's lock as the API listener takes it (it
// releases it after removing the socket); once the listener is up, the
// node calls handedOver and no longer releases it itself.
func (l *nodeLocks) socketCloser() io.Closer { return closerFunc(l.socket.Release) }

// handedOver records that the API listener owns the socket's lock.
func (l *nodeLocks) handedOver() { l.socket = nil }

// release lets go of every lock still held.
func (l *nodeLocks) release() {
	if l == nil {
		return
	}
	for _, lk := range l.held {
		_ = lk.Release()
	}
	l.held = nil
	if l.socket != nil {
		_ = l.socket.Release()
		l.socket = nil
	}
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

// netnsID names the calling thread's network namespace ("net:[4026531840]").
func netnsID() string {
	id, err := os.Readlink("/proc/thread-self/ns/net")
	if err != nil {
		return ""
	}
	return id
}

// scopeKey puts a kernel interface's key in its network namespace; other
// keys (PCI devices) name the host.
func scopeKey(ns, key string) string {
	if ns == "" || !strings.HasPrefix(key, "iface:") {
		return key
	}
	return key + "@" + ns
}
