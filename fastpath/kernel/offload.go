package kernel

import (
	"fmt"
	"runtime"
	"unsafe"

	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// DisableOffloads turns off transmit checksum offload, TSO, GSO and GRO on
// iface, in network namespace netnsName ("" for the current one). A Linux
// sender on a veth otherwise hands over frames whose TCP/UDP checksum is
// not filled in yet (CHECKSUM_PARTIAL) and TCP segments of up to 64 KiB;
// net_af_packet on the other end cannot tell, so it would forward bad
// checksums and giant frames (GRO would merge received segments the same
// way). Apply it to the interfaces of the hosts that send through the
// forwarder, and to the interfaces net_af_packet reads.
func DisableOffloads(netnsName, iface string) error {
	if netnsName == "" {
		return disableOffloads(iface)
	}
	errc := make(chan error, 1)
	go func() {
		// The thread's namespace is changed: keep the goroutine on it and
		// let the thread end with it instead of returning to Go's pool.
		runtime.LockOSThread()
		target, err := netns.GetFromName(netnsName)
		if err != nil {
			errc <- fmt.Errorf("kernel: network namespace %s: %w", netnsName, err)
			return
		}
		defer target.Close()
		if err := netns.Set(target); err != nil {
			errc <- fmt.Errorf("kernel: entering network namespace %s: %w", netnsName, err)
			return
		}
		errc <- disableOffloads(iface)
	}()
	return <-errc
}

const (
	ethtoolSTXCSUM = 0x17 // set tx checksum offload
	ethtoolSTSO    = 0x1f // set TCP segmentation offload
	ethtoolSGSO    = 0x24 // set generic segmentation offload
	ethtoolSGRO    = 0x2c // set generic receive offload
)

type ethtoolValue struct{ cmd, data uint32 }

type ethtoolIfreq struct {
	name [unix.IFNAMSIZ]byte
	data uintptr
	_    [16]byte
}

func disableOffloads(iface string) error {
	if len(iface) >= unix.IFNAMSIZ {
		return fmt.Errorf("kernel: interface name %q is too long", iface)
	}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("kernel: offloads of %s: %w", iface, err)
	}
	defer unix.Close(fd)
	// GSO and TSO first: the kernel refuses to turn tx checksumming off
	// under features that depend on it on some drivers.
	for _, cmd := range []uint32{ethtoolSGRO, ethtoolSGSO, ethtoolSTSO, ethtoolSTXCSUM} {
		v := &ethtoolValue{cmd: cmd}
		var req ethtoolIfreq
		copy(req.name[:], iface)
		req.data = uintptr(unsafe.Pointer(v))
		_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.SIOCETHTOOL, uintptr(unsafe.Pointer(&req)))
		runtime.KeepAlive(v)
		if errno == unix.ENODEV {
			return fmt.Errorf("kernel: interface %s does not exist (ip link show lists them)", iface)
		}
		if errno != 0 && errno != unix.EOPNOTSUPP {
			return fmt.Errorf("kernel: disabling offload %#x on %s: %w", cmd, iface, errno)
		}
	}
	return nil
}
