package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
)

// Registry is where the serve nodes sharing a store register themselves,
// each under a lease it renews while it runs: a node that dies (SIGKILL, a
// lost machine) disappears once its lease expires, one that stops cleanly
// at once. The etcd backend implements it (PREFIX/nodes/NODE-ID). The
// state file does not: its nodes do not see each other (RegistryOf says
// so).
type Registry interface {
	// Register publishes reg under a new lease of ttl (rounded up to whole
	// seconds) and renews the lease until it is revoked or lost. It fails
	// with an error matching ErrNodeRegistered when a live lease already
	// holds reg.NodeID: two nodes may not share an id, and a node killed
	// a moment ago holds its id until its lease expires.
	Register(ctx context.Context, reg control.NodeRegistration, ttl time.Duration) (Lease, error)
	// Nodes lists the registered nodes, by node id.
	Nodes(ctx context.Context) ([]control.NodeRegistration, error)
}

// Lease is a node's registration while it holds.
type Lease interface {
	// Lost is closed when the registration is gone: the lease expired
	// (the store was out of reach for its whole TTL) or was revoked.
	Lost() <-chan struct{}
	// Revoke removes the registration at once (a clean stop) and stops
	// renewing it.
	Revoke(ctx context.Context) error
}

// ErrNodeRegistered: the node id is held by a live registration.
var ErrNodeRegistered = errors.New("node id is registered by a live node")

// ErrNoRegistry: the store has no node registry (a state file).
var ErrNoRegistry = errors.New("state store has no node registry")

// MinLeaseTTL and DefaultLeaseTTL bound and default a registration's
// lease: how long a dead node stays listed.
const (
	MinLeaseTTL     = time.Second
	DefaultLeaseTTL = 10 * time.Second
)

// RegistryOf returns s's node registry, or an error matching
// ErrNoRegistry that says what to use instead.
func RegistryOf(s Store) (Registry, error) {
	if r, ok := s.(Registry); ok {
		return r, nil
	}
	return nil, fmt.Errorf("%w: %s is a state file, which serves nodes that do not see each other; "+
		"nodes register in an etcd store (--state etcd://HOST:2379/PREFIX, see gwlbctl state migrate)", ErrNoRegistry, s.Describe())
}

// leaseSeconds is ttl in whole seconds, rounded up.
func leaseSeconds(ttl time.Duration) (int64, error) {
	if ttl < MinLeaseTTL {
		return 0, fmt.Errorf("lease ttl %s: want at least %s", ttl, MinLeaseTTL)
	}
	return int64((ttl + time.Second - 1) / time.Second), nil
}
