package node

import (
	"fmt"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/store"
)

// Plan is what a node will serve, worked out from its config and the
// store alone: no root, no DPDK, no port opened. Start prepares one first,
// so a mistake in the config or the state is reported before EAL starts;
// `gwlbctl serve --check` prints one.
type Plan struct {
	// Config is the validated node config.
	Config *Config
	// Store is the control plane's store, State its state at Version.
	Store   store.Store
	State   *control.State
	Version store.Version
	// Snapshot is the first snapshot as the engine would run it, built
	// with the configured appliance.mac and appliance.mtu (the port's own
	// are read when serve opens it, so a device MAC is a placeholder
	// here, and an unconfigured MTU is not yet known).
	Snapshot *Snapshot
}

// placeholderMAC stands for the appliance port's own MAC in a Plan built
// before the port is open.
var placeholderMAC = [6]byte{0x02, 0, 0, 0, 0, 0x01}

// Prepare validates cfg (which it fills in), checks what its devices need
// of the host, opens the store, reads the state and builds the snapshot
// the node would publish, with static neighbours only. It fails when the
// node cannot serve at all; degraded parts are the snapshot's warnings.
func Prepare(cfg *Config) (*Plan, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := cfg.CheckHost(); err != nil {
		return nil, err
	}
	st, err := store.Open(cfg.State)
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	state, v, err := st.Snapshot()
	if err != nil {
		return nil, fmt.Errorf("state %s: %w", st.Describe(), err)
	}
	if err := checkRoutedSubnets(cfg, state); err != nil {
		return nil, err
	}
	mac := placeholderMAC
	if cfg.mac != nil {
		mac = [6]byte(cfg.mac)
	}
	statics := NewNeighbors(cfg.statics, "")
	snap, err := NewSnapshotter(cfg, mac, cfg.Appliance.MTU).Build(state, v.Revision, time.Now(), statics.Lookup)
	if err != nil {
		return nil, fmt.Errorf("state %s: %w", st.Describe(), err)
	}
	return &Plan{Config: cfg, Store: st, State: state, Version: v, Snapshot: snap}, nil
}
