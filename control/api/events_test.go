package api

import (
	"testing"
	"time"
)

func TestEventLog(t *testing.T) {
	clock := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	l := NewEventLog(4, func() time.Time { return clock })
	p := l.Read(0, 10)
	if len(p.Events) != 0 || p.Next != 0 || p.Latest != 0 || p.Missed != 0 || p.Reset {
		t.Errorf("empty log: %+v", p)
	}
	wake := p.Wake
	e := l.Append(Event{Kind: EventReload, Revision: 3})
	if e.Seq != 1 || !e.Time.Equal(clock) {
		t.Errorf("appended %+v", e)
	}
	select {
	case <-wake:
	default:
		t.Error("Append did not wake a reader")
	}
	for i := 0; i < 5; i++ {
		l.Append(Event{Kind: EventWarning})
	}
	// Six appended, four kept: 3..6.
	p = l.Read(0, 10)
	if len(p.Events) != 4 || p.Events[0].Seq != 3 || p.Events[3].Seq != 6 || p.Missed != 2 || p.Next != 6 || p.Latest != 6 {
		t.Errorf("overwritten log from 0: %+v", p)
	}
	p = l.Read(3, 2)
	if len(p.Events) != 2 || p.Events[0].Seq != 4 || p.Next != 5 || p.Missed != 0 {
		t.Errorf("from 3, limit 2: %+v", p)
	}
	p = l.Read(6, 10)
	if len(p.Events) != 0 || p.Next != 6 {
		t.Errorf("caught up: %+v", p)
	}
	p = l.Read(7, 10)
	if !p.Reset || len(p.Events) != 4 || p.Missed != 2 {
		t.Errorf("after beyond latest: %+v", p)
	}
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.FixedZone("x", 3600))
	if e := l.Append(Event{Time: old}); !e.Time.Equal(old) || e.Time.Location() != time.UTC {
		t.Errorf("given time: %v", e.Time)
	}
}
