package store

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/gwlbctl/gwlbctl/control"
)

// Keys under an etcd location's prefix. Only the state key is written
// today. The others are reserved for the nodes of a scale-out deployment,
// so that they share the prefix without touching the state: Watch watches
// the state key alone, and nothing under nodes/ or health/ is ever read as
// state.
//
//	PREFIX/state                        the state document (the file's JSON)
//	PREFIX/nodes/NODE-ID                a node's registration, on the node's lease
//	PREFIX/health/NODE-ID/TG-ID/TARGET  a node's view of one target, on its lease
const (
	EtcdStateKey   = "state"
	EtcdNodesDir   = "nodes/"
	EtcdHealthDir  = "health/"
	etcdMaxBackoff = 100 * time.Millisecond
	// etcdMaxReconnect caps the wait between two connection attempts to
	// an endpoint that does not answer.
	etcdMaxReconnect = 2 * time.Second
)

// EtcdMaxAttempts bounds Update's read -> fn -> compare-and-swap cycles. A
// cycle fails only when another writer saved a change in between, so N
// writers that race once each all finish within N cycles; past this bound
// Update gives up with ErrConflict and saves nothing.
const EtcdMaxAttempts = 100

// ErrConflict: Update lost the compare-and-swap EtcdMaxAttempts times in a
// row (other writers changed the state each time) and saved nothing.
var ErrConflict = errors.New("state changed by other writers on every attempt")

// Etcd is the etcd backend: the state document (the same JSON as the state
// file) under PREFIX/state. Every Update is a read, fn, then a transaction
// that puts the new document only if the key's etcd revision is still the
// one read (If ModRevision == read Then Put), retried on conflict with
// jittered backoff; so concurrent writers, in any process on any machine,
// never lose an update, and a writer killed anywhere leaves the old or the
// new document. Corrupt or newer-schema content is refused and never
// overwritten. It is safe for use by many goroutines.
type Etcd struct {
	loc    etcdLocation
	key    string
	client *clientv3.Client
	// Now stamps updatedAt; tests may replace it.
	Now func() time.Time

	// commitHook, when set (by this package's tests), is called just
	// before the compare-and-swap is sent ("before-commit") and just after
	// it succeeded ("after-commit").
	commitHook func(point string)
}

var _ Store = (*Etcd)(nil)

// OpenEtcd returns the etcd store at location:
// etcd://HOST[:PORT][,HOST[:PORT]...][/PREFIX][?OPTION=VALUE&...], or
// etcds://... for TLS (see EtcdOptions). It does not wait for etcd: the
// first request connects, within the dial timeout. With a user it
// authenticates at once, within the same bound.
func OpenEtcd(location string) (*Etcd, error) {
	loc, err := parseEtcdLocation(location)
	if err != nil {
		return nil, fmt.Errorf("etcd location %s: %w", safeLocation(location), err)
	}
	s := &Etcd{loc: loc, key: loc.key(EtcdStateKey), Now: time.Now}
	cfg := clientv3.Config{
		Endpoints:   make([]string, len(loc.Endpoints)),
		DialTimeout: loc.DialTimeout,
		Username:    loc.User,
		Password:    loc.Password,
		// The CLI's stderr is for its own messages; every failure reaches
		// the caller as an error.
		Logger: zap.NewNop(),
		// A watch on a connection that died without a reset (a partition)
		// notices within keepalive time + timeout, and reconnects.
		DialKeepAliveTime:    10 * time.Second,
		DialKeepAliveTimeout: loc.DialTimeout,
		// gRPC's reconnect backoff grows to 2 minutes by default: a
		// watcher would follow etcd's return that late. Cap it.
		DialOptions: []grpc.DialOption{grpc.WithConnectParams(grpc.ConnectParams{
			Backoff:           backoff.Config{BaseDelay: 100 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: etcdMaxReconnect},
			MinConnectTimeout: loc.DialTimeout,
		})},
	}
	scheme := "http://"
	if loc.TLS {
		scheme = "https://"
		if cfg.TLS, err = loc.tlsConfig(); err != nil {
			return nil, fmt.Errorf("etcd location %s: %w", loc.describe(), err)
		}
	}
	for i, ep := range loc.Endpoints {
		cfg.Endpoints[i] = scheme + ep
	}
	c, err := clientv3.New(cfg)
	if err != nil {
		return nil, s.requestError("connect", err)
	}
	s.client = c
	return s, nil
}

func (l etcdLocation) tlsConfig() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if l.CAFile != "" {
		pem, err := os.ReadFile(l.CAFile)
		if err != nil {
			return nil, fmt.Errorf("ca-file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca-file %s holds no PEM certificate", l.CAFile)
		}
		cfg.RootCAs = pool
	}
	if l.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(l.CertFile, l.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("cert-file %s / key-file %s: %w", l.CertFile, l.KeyFile, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// safeLocation is location without its options and anything before an
// '@', for messages about a location that did not parse (either may hold
// a password).
func safeLocation(location string) string {
	s, _, _ := strings.Cut(location, "?")
	if scheme, rest, ok := strings.Cut(s, "://"); ok {
		if i := strings.LastIndex(rest, "@"); i >= 0 {
			s = scheme + "://" + rest[i+1:]
		}
	}
	return s
}

// Describe is the location without its options (no password):
// etcd://HOST:PORT[,HOST:PORT...]/PREFIX.
func (s *Etcd) Describe() string { return s.loc.describe() }

// Key is the etcd key of the state document.
func (s *Etcd) Key() string { return s.key }

// Prefix is the location's key prefix (no trailing slash).
func (s *Etcd) Prefix() string { return s.loc.Prefix }

// Client is the etcd client, for other keys under Prefix (node
// registrations, health views).
func (s *Etcd) Client() *clientv3.Client { return s.client }

// Close closes the connection to etcd.
func (s *Etcd) Close() error { return s.client.Close() }

// name is how messages name the document: the key and the endpoints.
func (s *Etcd) name() string {
	return "etcd key " + s.key + " at " + strings.Join(s.loc.Endpoints, ",")
}

// requestError explains a failed request: a timeout names the endpoints
// and the bound, an authentication failure the user (never the password).
func (s *Etcd) requestError(op string, err error) error {
	eps := strings.Join(s.loc.Endpoints, ",")
	done, doing := "nothing was changed", op+" "+s.key
	switch op {
	case "commit":
		done = "if the request reached etcd the change was saved whole, otherwise not at all: check with 'gwlbctl state show'"
		doing = "saving " + s.key
	case "read":
		doing = "reading " + s.key
	case "connect":
		doing = fmt.Sprintf("authenticating as user %q", s.loc.User)
	}
	switch code := status.Code(err); {
	case errors.Is(err, context.DeadlineExceeded) || code == codes.DeadlineExceeded || code == codes.Unavailable:
		return fmt.Errorf("etcd at %s did not answer within %s (%s): is etcd running and reachable there? "+
			"(the bound is the location's dial-timeout option, or GWLBCTL_ETCD_DIAL_TIMEOUT); %s", eps, s.loc.DialTimeout, doing, done)
	case errors.Is(err, rpctypes.ErrAuthFailed) || errors.Is(err, rpctypes.ErrInvalidAuthToken):
		return fmt.Errorf("etcd at %s refused user %q: wrong user name or password (?user=, GWLBCTL_ETCD_USER, GWLBCTL_ETCD_PASSWORD); %s", eps, s.loc.User, done)
	case errors.Is(err, rpctypes.ErrPermissionDenied) || errors.Is(err, rpctypes.ErrUserEmpty):
		return fmt.Errorf("etcd at %s: user %q may not %s %s: grant it a role with read-write access to the prefix %s/ (or give ?user=); %s", eps, s.loc.User, op, s.key, s.loc.Prefix, done)
	case errors.Is(err, rpctypes.ErrRequestTooLarge):
		return fmt.Errorf("etcd at %s refused the state document as too large (etcd's --max-request-bytes, 1.5 MiB by default); %s", eps, done)
	}
	return fmt.Errorf("etcd at %s: %s: %w; %s", eps, doing, err, done)
}

func (s *Etcd) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), s.loc.DialTimeout)
}

// get reads the document: its bytes and etcd's mod revision of the key
// (0 when there is no key).
func (s *Etcd) get() (b []byte, modRev int64, err error) {
	ctx, cancel := s.ctx()
	defer cancel()
	resp, err := s.client.Get(ctx, s.key)
	if err != nil {
		return nil, 0, s.requestError("read", err)
	}
	if len(resp.Kvs) == 0 {
		return nil, 0, nil
	}
	return resp.Kvs[0].Value, resp.Kvs[0].ModRevision, nil
}

// load reads and decodes the document: a missing key is the empty state at
// the zero Version.
func (s *Etcd) load() (*control.State, Version, int64, error) {
	b, modRev, err := s.get()
	if err != nil {
		return nil, Version{}, 0, err
	}
	if modRev == 0 {
		return &control.State{}, Version{}, 0, nil
	}
	st, rev, err := decodeDoc(s.name(), etcdRestoreHint, b)
	if err != nil {
		return nil, Version{}, 0, err
	}
	return st, Version{Revision: rev, Digest: digest(b)}, modRev, nil
}

// etcdRestoreHint is what to do about a bad document in etcd.
const etcdRestoreHint = "the key was left as it is: restore it from a backup (gwlbctl state migrate --from BACKUP --to LOCATION --force), or delete the key to start from an empty state"

// View calls fn with the current state. Changes fn makes are discarded.
func (s *Etcd) View(fn func(*control.State) error) error {
	st, _, _, err := s.load()
	if err != nil {
		return err
	}
	return fn(st)
}

// Snapshot returns the current state and its version.
func (s *Etcd) Snapshot() (*control.State, Version, error) {
	st, v, _, err := s.load()
	return st, v, err
}

// Update runs fn on the current state and, when fn returns nil and changed
// it, saves the result as the next revision with a compare-and-swap on the
// key's etcd revision. On a conflict (another writer saved in between) it
// reads again and runs fn again on the new state, after a jittered backoff,
// up to EtcdMaxAttempts times: fn may run more than once, each time on a
// fresh state, and only its last run is saved. See Store.Update.
func (s *Etcd) Update(fn func(*control.State) error) (uint64, error) {
	backoff := time.Millisecond
	for attempt := 1; ; attempt++ {
		st, ver, modRev, err := s.load()
		if err != nil {
			return 0, err
		}
		doc, rev, err := change(st, ver, s.Now(), fn)
		if err != nil || doc == nil {
			return rev, err
		}
		ok, err := s.commit(doc, modRev)
		if err != nil {
			return 0, err
		}
		if ok {
			return rev, nil
		}
		if attempt == EtcdMaxAttempts {
			return 0, fmt.Errorf("%w: %s: %d attempts, each overtaken by another writer's change; nothing was saved: run the command again", ErrConflict, s.name(), attempt)
		}
		time.Sleep(backoff/2 + rand.N(backoff))
		backoff = min(2*backoff, etcdMaxBackoff)
	}
}

// commit puts doc if the key's mod revision is still modRev (0: the key
// must not exist); ok is false when another writer got there first.
func (s *Etcd) commit(doc []byte, modRev int64) (ok bool, err error) {
	if s.commitHook != nil {
		s.commitHook("before-commit")
	}
	ctx, cancel := s.ctx()
	defer cancel()
	resp, err := s.client.Txn(ctx).
		If(clientv3.Compare(clientv3.ModRevision(s.key), "=", modRev)).
		Then(clientv3.OpPut(s.key, string(doc))).
		Commit()
	if err != nil {
		return false, s.requestError("commit", err)
	}
	if resp.Succeeded && s.commitHook != nil {
		s.commitHook("after-commit")
	}
	return resp.Succeeded, nil
}
