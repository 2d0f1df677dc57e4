package node

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gwlbctl/gwlbctl/fastpath/kernel"
)

// TestLocksRefuseASecondNode: the run directory is created (0755) when
// missing; a second node wanting the same interface, TAP or API socket is
// refused with the holder's pid and the key at fault, and holds nothing
// afterwards; once the first lets go, the second gets them all.
func TestLocksRefuseASecondNode(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run", "gwlbctl")
	cfg := testNodeConfig(t)
	cfg.API.Socket = filepath.Join(t.TempDir(), "serve.sock")
	first, err := acquireLocks(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o755 {
		t.Fatalf("run directory: %v %v, want created 0755", fi.Mode(), err)
	}
	pid := fmt.Sprintf("pid %d", os.Getpid())
	for _, c := range []struct {
		name   string
		mutate func(*Config)
		want   string
	}{
		{"same ports", func(*Config) {}, "appliance.device: device net_af_packet0,iface=app0 (appliance.device) is in use by"},
		{"one interface under another device name", func(c *Config) {
			c.Appliance.Device = "net_af_packet7,iface=app0"
			c.Endpoints[0].SideA, c.Endpoints[0].SideB = "net_null1", "net_null2"
		}, "is in use by"},
		{"same TAP", func(c *Config) {
			c.Appliance.Device = "net_null0"
			c.Endpoints[0].SideA, c.Endpoints[0].SideB = "net_null1", "net_null2"
		}, "appliance.tap: exception TAP gwlb0 is in use by"},
		{"same socket", func(c *Config) {
			c.Appliance.Device, c.Appliance.TAP = "net_null0", ""
			c.Endpoints[0].SideA, c.Endpoints[0].SideB = "net_null1", "net_null2"
		}, "api.socket: API socket " + cfg.API.Socket + " is in use by"},
	} {
		t.Run(c.name, func(t *testing.T) {
			second := *cfg
			second.Endpoints = append([]EndpointPorts(nil), cfg.Endpoints...)
			c.mutate(&second)
			if err := second.Validate(); err != nil {
				t.Fatal(err)
			}
			_, err := acquireLocks(dir, &second)
			var inUse *kernel.InUseError
			if !errors.As(err, &inUse) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), pid) {
				t.Fatalf("err = %v; want %q and the holder's %s", err, c.want, pid)
			}
		})
	}
	// Other ports, TAP and socket: a second node runs beside the first.
	other := *cfg
	other.Appliance.Device, other.Appliance.TAP = "net_af_packet0,iface=app9", "gwlb9"
	other.Endpoints = []EndpointPorts{{ID: testEP, SideA: "net_af_packet1,iface=epa9", SideB: "net_af_packet2,iface=epb9"}}
	other.API.Socket = filepath.Join(t.TempDir(), "other.sock")
	if err := other.Validate(); err != nil {
		t.Fatal(err)
	}
	beside, err := acquireLocks(dir, &other)
	if err != nil {
		t.Fatalf("a node on other ports: %v", err)
	}
	beside.release()
	first.release()
	again, err := acquireLocks(dir, cfg)
	if err != nil {
		t.Fatalf("after the first released: %v", err)
	}
	again.release()
}

// TestInterfaceKeysAreScopedToTheNamespace: the same interface name in two
// network namespaces is two interfaces.
func TestInterfaceKeysAreScopedToTheNamespace(t *testing.T) {
	if scopeKey("net:[1]", "iface:eth1") == scopeKey("net:[2]", "iface:eth1") {
		t.Error("eth1 of two namespaces share a key")
	}
	if scopeKey("net:[1]", "pci:0000:00:06.0") != scopeKey("net:[2]", "pci:0000:00:06.0") {
		t.Error("a PCI device has a key per namespace")
	}
	if netnsID() == "" {
		t.Error("no network namespace id for this thread")
	}
}
