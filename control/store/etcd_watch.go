package store

import (
	"context"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/gwlbctl/gwlbctl/control"
)

// etcdResyncBackoff bounds the wait between two reads of the state key
// after the watch failed (no leader, etcd unreachable).
const etcdResyncBackoff = time.Second

// Watch delivers the state and its changes as Store.Watch says, from an
// etcd watch on the state key alone (other keys under the prefix are never
// a change): content is compared by the document's SHA-256, and a deleted
// key is ErrDeleted. The watch resumes from the last revision it saw; when
// etcd has compacted that revision away, or the watch fails (the member
// lost its leader: the watch requires one), the key is read again and the
// watch restarts from the read, so no change is missed. While no etcd
// endpoint answers, etcd's client reconnects by itself and the last
// delivery stands; a read that fails is delivered as an error, once.
func (s *Etcd) Watch(ctx context.Context, fn func(Event)) error {
	w := &etcdWatch{s: s, fn: fn}
	backoff := 50 * time.Millisecond
	rev, ok := w.read(ctx, true)
	for ctx.Err() == nil {
		if !ok {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, etcdResyncBackoff)
			rev, ok = w.read(ctx, false)
			continue
		}
		backoff = 50 * time.Millisecond
		wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
		w.follow(s.client.Watch(wctx, s.key, clientv3.WithRev(rev+1)))
		cancel()
		// The watch ended (compaction, no leader, a closed stream):
		// read again, deliver what changed, and watch from there.
		rev, ok = w.read(ctx, false)
	}
	return nil
}

// etcdWatch is the state of one Watch call.
type etcdWatch struct {
	s  *Etcd
	fn func(Event)
	// last identifies what was delivered last (see fileWatch.last).
	last string
	// seen: the key has existed during this watch, so its absence is a
	// deletion.
	seen bool
}

// read gets the key and delivers what changed; it returns the etcd
// revision to watch after, and false when the read failed.
func (w *etcdWatch) read(ctx context.Context, first bool) (int64, bool) {
	s := w.s
	rctx, cancel := context.WithTimeout(ctx, s.loc.DialTimeout)
	defer cancel()
	resp, err := s.client.Get(rctx, s.key)
	if ctx.Err() != nil {
		return 0, false
	}
	if err != nil {
		err = s.requestError("read", err)
		w.deliver("read-error:"+err.Error(), Event{Err: err})
		return 0, false
	}
	switch {
	case len(resp.Kvs) > 0:
		w.content(resp.Kvs[0].Value)
	case first || !w.seen:
		w.deliver("absent", Event{State: &control.State{}})
	default:
		w.deleted()
	}
	return resp.Header.Revision, true
}

// follow delivers the changes a watch reports until its channel closes or
// it reports that it cannot go on.
func (w *etcdWatch) follow(ch clientv3.WatchChan) {
	for resp := range ch {
		if resp.Err() != nil {
			return // compacted, cancelled, no leader: read again
		}
		if n := len(resp.Events); n > 0 {
			// Changes coalesce: the last event of the batch is the content.
			ev := resp.Events[n-1]
			if ev.Type == clientv3.EventTypeDelete {
				w.deleted()
			} else {
				w.content(ev.Kv.Value)
			}
		}
	}
}

func (w *etcdWatch) content(b []byte) {
	w.seen = true
	d := digest(b)
	if w.last == "content:"+d {
		return
	}
	st, rev, err := decodeDoc(w.s.name(), etcdRestoreHint, b)
	if err != nil {
		w.deliver("content:"+d, Event{Err: err})
		return
	}
	w.deliver("content:"+d, Event{State: st, Version: Version{Revision: rev, Digest: d}})
}

func (w *etcdWatch) deleted() {
	if !w.seen {
		return
	}
	w.deliver("deleted", Event{Err: &etcdDeletedError{name: w.s.name()}})
}

func (w *etcdWatch) deliver(key string, ev Event) {
	if ev.Err != nil {
		// Whatever comes after an error is delivered, even the content
		// that was good before it.
		key = "error:" + key
	}
	if key == w.last {
		return
	}
	w.last = key
	w.fn(ev)
}

// etcdDeletedError is ErrDeleted with the key and endpoints.
type etcdDeletedError struct{ name string }

func (e *etcdDeletedError) Error() string {
	return e.name + " was deleted: restore it (gwlbctl state migrate --from BACKUP --to LOCATION), or point the state setting (--state, GWLBCTL_STATE) at where the state is now; an empty state is not assumed"
}

func (e *etcdDeletedError) Is(target error) bool { return target == ErrDeleted }
