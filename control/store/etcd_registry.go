package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/gwlbctl/gwlbctl/control"
)

var _ Registry = (*Etcd)(nil)

// nodeKey is the key of a node's registration: PREFIX/nodes/NODE-ID.
func (s *Etcd) nodeKey(id string) string { return s.loc.key(EtcdNodesDir + id) }

// Register puts reg at PREFIX/nodes/NODE-ID on a new lease of ttl, only if
// the key is free (a transaction: If CreateRevision == 0 Then Put), and
// keeps the lease alive until Revoke or until it expires. See Registry.
func (s *Etcd) Register(ctx context.Context, reg control.NodeRegistration, ttl time.Duration) (Lease, error) {
	if err := control.ValidateNodeID(reg.NodeID); err != nil {
		return nil, err
	}
	secs, err := leaseSeconds(ttl)
	if err != nil {
		return nil, err
	}
	reg.LeaseTTLSeconds = secs
	val, err := json.Marshal(reg)
	if err != nil {
		return nil, err
	}
	key := s.nodeKey(reg.NodeID)
	rctx, cancel := context.WithTimeout(ctx, s.loc.DialTimeout)
	defer cancel()
	grant, err := s.client.Grant(rctx, secs)
	if err != nil {
		return nil, s.nodesError("granting a lease for "+key, err)
	}
	resp, err := s.client.Txn(rctx).
		If(clientv3.Compare(clientv3.CreateRevision(key), "=", 0)).
		Then(clientv3.OpPut(key, string(val), clientv3.WithLease(grant.ID))).
		Else(clientv3.OpGet(key)).
		Commit()
	if err == nil && !resp.Succeeded {
		err = s.taken(key, resp)
	}
	if err != nil {
		_, _ = s.client.Revoke(rctx, grant.ID)
		if errors.Is(err, ErrNodeRegistered) {
			return nil, err
		}
		return nil, s.nodesError("registering "+key, err)
	}
	// The renewals run until Revoke: their context is not the caller's.
	kctx, stop := context.WithCancel(context.Background())
	ch, err := s.client.KeepAlive(kctx, grant.ID)
	if err != nil {
		stop()
		_, _ = s.client.Revoke(rctx, grant.ID)
		return nil, s.nodesError("renewing the lease of "+key, err)
	}
	l := &etcdLease{s: s, id: grant.ID, stop: stop, lost: make(chan struct{})}
	go func() {
		// The channel closes when the lease expired (no renewal reached
		// etcd for its TTL), was revoked, or kctx ended.
		for range ch {
		}
		close(l.lost)
	}()
	return l, nil
}

// taken explains a registration refused because the key is held.
func (s *Etcd) taken(key string, resp *clientv3.TxnResponse) error {
	holder := "another node"
	if rs := resp.Responses; len(rs) == 1 && len(rs[0].GetResponseRange().Kvs) == 1 {
		var r control.NodeRegistration
		if json.Unmarshal(rs[0].GetResponseRange().Kvs[0].Value, &r) == nil {
			holder = fmt.Sprintf("pid %d on host %s, started %s, lease %ds", r.PID, r.Host, r.StartedAt.UTC().Format(time.RFC3339), r.LeaseTTLSeconds)
		}
	}
	return fmt.Errorf("%w: %s is held by %s: give this node another node.id, or wait until that node's lease expires if it is dead", ErrNodeRegistered, key, holder)
}

// Nodes lists the registrations under PREFIX/nodes/, by node id. A value
// that is not a registration is an error naming its key.
func (s *Etcd) Nodes(ctx context.Context) ([]control.NodeRegistration, error) {
	dir := s.loc.key(EtcdNodesDir)
	rctx, cancel := context.WithTimeout(ctx, s.loc.DialTimeout)
	defer cancel()
	resp, err := s.client.Get(rctx, dir, clientv3.WithPrefix())
	if err != nil {
		return nil, s.nodesError("listing "+dir, err)
	}
	out := make([]control.NodeRegistration, 0, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		var r control.NodeRegistration
		if err := json.Unmarshal(kv.Value, &r); err != nil || r.NodeID != strings.TrimPrefix(string(kv.Key), dir) {
			return nil, fmt.Errorf("etcd key %s holds no node registration of that id (%d bytes): nodes write their own keys; delete it (etcdctl del %s)", kv.Key, len(kv.Value), kv.Key)
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b control.NodeRegistration) int { return strings.Compare(a.NodeID, b.NodeID) })
	return out, nil
}

// nodesError explains a failed registry request like requestError does for
// the state key.
func (s *Etcd) nodesError(doing string, err error) error {
	eps := strings.Join(s.loc.Endpoints, ",")
	if code := status.Code(err); errors.Is(err, context.DeadlineExceeded) || code == codes.DeadlineExceeded || code == codes.Unavailable {
		return fmt.Errorf("etcd at %s did not answer within %s (%s): is etcd running and reachable there? "+
			"(the bound is the location's dial-timeout option, or GWLBCTL_ETCD_DIAL_TIMEOUT)", eps, s.loc.DialTimeout, doing)
	}
	return fmt.Errorf("etcd at %s: %s: %w", eps, doing, err)
}

// etcdLease is a registration's lease.
type etcdLease struct {
	s    *Etcd
	id   clientv3.LeaseID
	stop context.CancelFunc
	lost chan struct{}
	once sync.Once
}

func (l *etcdLease) Lost() <-chan struct{} { return l.lost }

// Revoke stops the renewals and revokes the lease, which deletes the
// registration.
func (l *etcdLease) Revoke(ctx context.Context) error {
	var err error
	l.once.Do(func() {
		l.stop()
		rctx, cancel := context.WithTimeout(ctx, l.s.loc.DialTimeout)
		defer cancel()
		// A lease that expired already took the registration with it.
		if _, e := l.s.client.Revoke(rctx, l.id); e != nil && !errors.Is(e, rpctypes.ErrLeaseNotFound) {
			err = l.s.nodesError(fmt.Sprintf("revoking lease %x", int64(l.id)), e)
		}
	})
	return err
}
