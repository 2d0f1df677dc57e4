package serve

import (
	"crypto/rand"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/apply"
	"github.com/gwlbctl/gwlbctl/control/store"
	"github.com/gwlbctl/gwlbctl/fastpath/node"
)

// TestRoutedPatternConfigs keeps the routed patterns' files in configs/
// working together: each topology applies, and its node config loads and
// validates with the endpoint apply created, whose address lies in that
// endpoint's subnet.
func TestRoutedPatternConfigs(t *testing.T) {
	for _, pattern := range []string{"inbound", "outbound", "east-west"} {
		t.Run(pattern, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			st, err := store.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			top, err := apply.Load("../../../../../configs/topology-routed-" + pattern + ".yaml")
			if err != nil {
				t.Fatal(err)
			}
			env := control.Env{Region: "us-east-1", Account: "123456789012", Now: time.Now, Rand: rand.Reader}
			if _, err := apply.Run(st, env, top, false); err != nil {
				t.Fatal(err)
			}
			var ep *control.EndpointRecord
			var subnet netip.Prefix
			if err := st.View(func(s *control.State) error {
				ep = s.Endpoints[0]
				subnet = netip.MustParsePrefix(s.Subnet(ep.Endpoint.SubnetIds[0]).CidrBlock)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			o, err := execServe(t, nil, "--node-config", "../../../../../configs/node-routed-"+pattern+".yaml")
			if err != nil {
				t.Fatal(err)
			}
			cfg := o.Config
			if len(cfg.Endpoints) != 1 || cfg.Endpoints[0].Mode != node.ModeRouted {
				t.Fatalf("endpoints %+v: want one routed endpoint", cfg.Endpoints)
			}
			cfg.Endpoints[0].ID = ep.Endpoint.VpcEndpointId
			cfg.State = path
			if err := cfg.Validate(); err != nil {
				t.Fatal(err)
			}
			if a := netip.MustParsePrefix(cfg.Endpoints[0].Address); !subnet.Contains(a.Addr()) {
				t.Errorf("endpoint address %v is outside the endpoint's subnet %v", a, subnet)
			}
		})
	}
}

// TestENANodeConfigValidates: configs/node-ena.yaml passes serve's
// validation (its routed endpoint included); its devices are PCI
// addresses, which no host check can find here.
func TestENANodeConfigValidates(t *testing.T) {
	o, err := execServe(t, nil, "--node-config", "../../../../../configs/node-ena.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := o.Config
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(cfg.Endpoints) != 1 || cfg.Endpoints[0].Mode != node.ModeRouted || cfg.EndpointPort(0) != 1 {
		t.Errorf("endpoints %+v: want one routed endpoint on port 1", cfg.Endpoints)
	}
}
