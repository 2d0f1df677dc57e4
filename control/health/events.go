package health

import (
	"context"
	"sync"
	"time"

	"github.com/gwlbctl/gwlbctl/control"
)

// TargetKey names a registered target as ELB does: its id (instance id or
// IP address) and port within a target group (its ARN). Two targets are the
// same target when their keys are equal.
type TargetKey struct {
	Group string // target group ARN
	ID    string
	Port  int // the target's port (GENEVE: 6081), not the health-check port
}

// Event is one change of a target's health: from one (state, reason,
// description) to another.
type Event struct {
	Seq    uint64 // position in the checker's event log, from 0
	Time   time.Time
	Target TargetKey
	From   control.TargetHealth // zero when the target has just been added
	To     control.TargetHealth
	// Detail is why: the deciding probe's detail ("connection refused",
	// "status 503", "timed out after 5s while connecting"), or what the
	// caller changed ("added", "hold draining", "removed", a settings error).
	Detail string
}

// DefaultEventLogSize is how many events a checker keeps by default.
const DefaultEventLogSize = 1024

// EventPage is what a read of the event log returns.
type EventPage struct {
	Events []Event // in Seq order
	// Next is the cursor to read from next time.
	Next uint64
	// Missed counts events after the cursor that the log no longer holds
	// (it keeps the newest only); a reader that missed some should
	// re-read the checker's Snapshot.
	Missed uint64
}

// EventLog keeps the most recent events in a ring. A cursor is the Seq of
// the next event a reader wants; 0 reads from the oldest event held.
type EventLog struct {
	mu   sync.Mutex
	ring []Event
	next uint64        // Seq of the next event appended
	wake chan struct{} // closed when an event is appended
}

// NewEventLog returns a log that keeps the newest size events (size <= 0:
// DefaultEventLogSize).
func NewEventLog(size int) *EventLog {
	if size <= 0 {
		size = DefaultEventLogSize
	}
	return &EventLog{ring: make([]Event, size), wake: make(chan struct{})}
}

// Append assigns e the next Seq, stores it (dropping the oldest event when
// full) and wakes waiting readers. It returns the stored event.
func (l *EventLog) Append(e Event) Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	e.Seq = l.next
	l.ring[l.next%uint64(len(l.ring))] = e
	l.next++
	close(l.wake)
	l.wake = make(chan struct{})
	return e
}

// Cursor returns the cursor of the next event to be appended: a reader
// that starts there sees only new events.
func (l *EventLog) Cursor() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.next
}

// Since returns the events from cursor on. A cursor beyond the log's end
// (one from before a restart) reads from the oldest event held.
func (l *EventLog) Since(cursor uint64) EventPage {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.since(cursor)
}

func (l *EventLog) since(cursor uint64) EventPage {
	oldest := uint64(0)
	if size := uint64(len(l.ring)); l.next > size {
		oldest = l.next - size
	}
	var p EventPage
	if cursor > l.next {
		cursor = oldest
	}
	if cursor < oldest {
		p.Missed = oldest - cursor
		cursor = oldest
	}
	p.Next = l.next
	if cursor < l.next {
		p.Events = make([]Event, 0, l.next-cursor)
		for s := cursor; s < l.next; s++ {
			p.Events = append(p.Events, l.ring[s%uint64(len(l.ring))])
		}
	}
	return p
}

// Wait returns the events from cursor on, waiting until there is at least
// one (or one was missed) or ctx is done; then it returns what there is
// and ctx's error.
func (l *EventLog) Wait(ctx context.Context, cursor uint64) (EventPage, error) {
	for {
		l.mu.Lock()
		p := l.since(cursor)
		wake := l.wake
		l.mu.Unlock()
		if len(p.Events) > 0 || p.Missed > 0 {
			return p, nil
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return p, ctx.Err()
		}
	}
}
