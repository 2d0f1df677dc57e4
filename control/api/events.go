package api

import (
	"sync"
	"time"
)

// DefaultEventLogSize is the number of events a node keeps for GET /events.
const DefaultEventLogSize = 4096

// EventLog is a bounded, ordered log of events that clients follow with a
// cursor (the Seq of the last event they saw). The node appends; the
// handler reads and long-polls on the page's Wake channel. The oldest
// events are overwritten when it is full, and a reader that fell behind is
// told how many it missed. It is safe for concurrent use.
type EventLog struct {
	mu     sync.Mutex
	ring   []Event
	latest uint64 // Seq of the newest event; 0 when empty
	wake   chan struct{}
	now    func() time.Time
}

// NewEventLog returns a log holding up to size events (<= 0:
// DefaultEventLogSize). now is the clock stamping events without a Time
// (nil: time.Now).
func NewEventLog(size int, now func() time.Time) *EventLog {
	if size <= 0 {
		size = DefaultEventLogSize
	}
	if now == nil {
		now = time.Now
	}
	return &EventLog{ring: make([]Event, size), wake: make(chan struct{}), now: now}
}

// Append numbers e, stamps it if its Time is zero, stores it and wakes the
// readers waiting for it. It returns the stored event.
func (l *EventLog) Append(e Event) Event {
	l.mu.Lock()
	l.latest++
	e.Seq = l.latest
	if e.Time.IsZero() {
		e.Time = l.now()
	}
	e.Time = e.Time.UTC()
	l.ring[(e.Seq-1)%uint64(len(l.ring))] = e
	close(l.wake)
	l.wake = make(chan struct{})
	l.mu.Unlock()
	return e
}

// Read returns up to limit events with Seq > after, oldest first (see
// EventPage).
func (l *EventLog) Read(after uint64, limit int) EventPage {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := EventPage{Latest: l.latest, Wake: l.wake}
	if after > l.latest {
		p.Reset = true
		after = 0
	}
	p.Next = after
	oldest := uint64(1)
	if l.latest > uint64(len(l.ring)) {
		oldest = l.latest - uint64(len(l.ring)) + 1
	}
	from := after + 1
	if from < oldest {
		p.Missed = oldest - from
		from = oldest
	}
	for s := from; s <= l.latest && len(p.Events) < limit; s++ {
		p.Events = append(p.Events, l.ring[(s-1)%uint64(len(l.ring))])
		p.Next = s
	}
	if p.Events == nil {
		p.Events = []Event{}
	}
	return p
}
