package node

import (
	"context"
	"os"
	"sync"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
	"github.com/gwlbctl/gwlbctl/control/api"
	"github.com/gwlbctl/gwlbctl/control/store"
)

// NodeConfig names the node among the nodes sharing its store, and sets
// the lease of its registration (store.Registry).
type NodeConfig struct {
	// ID is the node's id, unique among the nodes of one store (empty:
	// the host name): it names its registration and keys its view of
	// target health in the state (and is the node API's node_id). See
	// control.ValidateNodeID.
	ID string `mapstructure:"id"`
	// LeaseTTL is the registration's lease: a node that dies disappears
	// from the other nodes' view this long after its last renewal (0:
	// DefaultLeaseTTL; at least store.MinLeaseTTL, whole seconds).
	LeaseTTL time.Duration `mapstructure:"lease-ttl"`
}

// DefaultLeaseTTL is node.lease-ttl's default.
const DefaultLeaseTTL = store.DefaultLeaseTTL

// registerRetry is the wait between two registration attempts that
// failed (etcd out of reach, or the id still held by a node that died
// less than its lease TTL ago).
const registerRetry = time.Second

// validateNode fills node.id and node.lease-ttl's defaults and checks
// them.
func (c *Config) validateNode(add func(format string, args ...any)) {
	if c.Node.ID == "" {
		h, err := os.Hostname()
		if err != nil {
			add("node.id: not set and the host name is unknown (%v): set node.id (flag --node-id)", err)
		}
		c.Node.ID = h
	}
	if c.Node.ID != "" {
		if err := control.ValidateNodeID(c.Node.ID); err != nil {
			add("node.id: %v: set node.id (flag --node-id; default: the host name)", err)
		}
	}
	switch {
	case c.Node.LeaseTTL == 0:
		c.Node.LeaseTTL = DefaultLeaseTTL
	case c.Node.LeaseTTL < store.MinLeaseTTL:
		add("node.lease-ttl: %s is below %s (a dead node leaves the registry this long after its last renewal)", c.Node.LeaseTTL, store.MinLeaseTTL)
	}
}

// registrar keeps the node registered while it runs: it registers, and
// registers again when the lease is lost (etcd was out of reach for a
// whole TTL) or the id was held by a node that died a moment ago.
type registrar struct {
	reg     store.Registry // nil: the store has no registry
	where   string         // the store, for GET /nodes
	rec     control.NodeRegistration
	ttl     time.Duration
	n       *Node
	cancel  context.CancelFunc
	done    chan struct{}
	mu      sync.Mutex
	held    bool
	lastErr string
}

// registration is what the node publishes about itself.
func (n *Node) registration() control.NodeRegistration {
	host, _ := os.Hostname()
	return control.NodeRegistration{NodeID: n.nodeID, LoadBalancer: n.lbArn, AvailabilityZone: n.cfg.AvailabilityZone,
		ApplianceAddress: n.cfg.nodeIP.Addr().String(), StartedAt: n.start.UTC(), Version: n.version,
		APISocket: n.cfg.API.Socket, Host: host, PID: os.Getpid(),
		LeaseTTLSeconds: int64((n.cfg.Node.LeaseTTL + time.Second - 1) / time.Second)}
}

// register starts keeping the node registered, when its store has a
// registry. The first attempt runs before it returns, so a node that
// forwards is listed unless that attempt failed (then it is logged, and
// retried every registerRetry).
func (n *Node) register() {
	r := &registrar{n: n, rec: n.registration(), ttl: n.cfg.Node.LeaseTTL, done: make(chan struct{})}
	n.reg = r
	reg, err := store.RegistryOf(n.plan.Store)
	if err != nil {
		close(r.done)
		n.log.Info("node: not registering", "reason", err)
		return
	}
	r.reg, r.where = reg, n.plan.Store.Describe()
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	lease := r.attempt(ctx)
	go r.run(ctx, lease)
}

// attempt registers once; nil when it failed (logged once per cause).
func (r *registrar) attempt(ctx context.Context) store.Lease {
	lease, err := r.reg.Register(ctx, r.rec, r.ttl)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		if ctx.Err() == nil && err.Error() != r.lastErr {
			r.lastErr = err.Error()
			msg := "node: registration failed, retrying every " + registerRetry.String()
			r.n.log.Warn(msg, "node_id", r.rec.NodeID, "err", err)
			r.n.events.Append(api.Event{Kind: api.EventWarning, Message: msg + ": " + err.Error()})
		}
		return nil
	}
	r.held, r.lastErr = true, ""
	r.n.log.Info("node: registered", "node_id", r.rec.NodeID, "store", r.where, "lease_ttl", r.ttl)
	return lease
}

func (r *registrar) run(ctx context.Context, lease store.Lease) {
	defer close(r.done)
	retry := time.NewTimer(registerRetry)
	defer retry.Stop()
	for {
		if lease == nil {
			retry.Reset(registerRetry)
			select {
			case <-ctx.Done():
				return
			case <-retry.C:
			}
			lease = r.attempt(ctx)
			continue
		}
		select {
		case <-ctx.Done():
			// A clean stop: the other nodes see this one leave at once.
			rctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			if err := lease.Revoke(rctx); err != nil {
				r.n.log.Warn("node: deregistering (the registration goes when its lease expires)", "err", err)
			}
			cancel()
			r.setHeld(false)
			return
		case <-lease.Lost():
			r.setHeld(false)
			msg := "node: registration lost (its lease expired); registering again"
			r.n.log.Warn(msg, "node_id", r.rec.NodeID)
			r.n.events.Append(api.Event{Kind: api.EventWarning, Message: msg})
			lease = r.attempt(ctx)
		}
	}
}

func (r *registrar) setHeld(v bool) {
	r.mu.Lock()
	r.held = v
	r.mu.Unlock()
}

// deregister stops the registration and revokes it; safe to call more
// than once, and on a node that never registered.
func (n *Node) deregister() {
	if r := n.reg; r != nil {
		if r.cancel != nil {
			r.cancel()
		}
		<-r.done
	}
}

var _ api.NodesBackend = (*Node)(nil)

// Nodes lists the registered nodes of the node's load balancer. A store
// without a registry lists the node alone.
func (n *Node) Nodes(ctx context.Context) (api.NodeList, error) {
	r := n.reg
	if r == nil || r.reg == nil {
		return api.NodeList{Nodes: []control.NodeRegistration{n.registration()}}, nil
	}
	r.mu.Lock()
	held := r.held
	r.mu.Unlock()
	all, err := r.reg.Nodes(ctx)
	if err != nil {
		return api.NodeList{}, err
	}
	l := api.NodeList{Registry: r.where, Registered: held}
	for _, x := range all {
		if x.LoadBalancer == n.lbArn {
			l.Nodes = append(l.Nodes, x)
		}
	}
	return l, nil
}
