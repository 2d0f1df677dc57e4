// Package kernel is the fast path's kernel plumbing, without cgo: the
// exception TAPs' addresses, MAC and MTU and the sysctls around them, the
// kernel's neighbour table behind them (netlink), ethtool offloads of the
// interfaces net_af_packet reads, and the exclusive locks that keep two
// nodes off the same device or socket.
//
// fastpath/dpdk opens the DPDK side of every port, TAPs included, and
// never configures the kernel: the node does, with this package, between
// dpdk.NewForwarder (which creates each exception TAP with its MAC and
// MTU, and leaves it down) and Forwarder.Start (which starts the TAPs'
// ports and the workers):
//
//	fw, err := dpdk.NewForwarder(eal, cfg) // a TAP per port that asks for one
//	for _, x := range fw.Exceptions() {
//		err = kernel.ConfigureTAP(x.Interface, kernel.TAPConfig{Addresses: ...})
//	}
//	err = fw.Start(handlers)
//
// ConfigureTAP sets the sysctls and addresses before it brings the
// interface up, so the kernel never announces a half-configured TAP.
//
// Everything here acts on the calling thread's network namespace, except
// DisableOffloads, which can enter another one.
package kernel
