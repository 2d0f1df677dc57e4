package health

import (
	"context"
	"errors"
	"testing"
)

func seqs(p EventPage) []uint64 {
	var out []uint64
	for _, e := range p.Events {
		out = append(out, e.Seq)
	}
	return out
}

func TestEventLogRing(t *testing.T) {
	l := NewEventLog(4)
	if p := l.Since(0); len(p.Events) != 0 || p.Next != 0 || p.Missed != 0 {
		t.Fatalf("empty log: %+v", p)
	}
	for i := 0; i < 3; i++ {
		if e := l.Append(Event{Detail: "x"}); e.Seq != uint64(i) {
			t.Fatalf("append %d got seq %d", i, e.Seq)
		}
	}
	p := l.Since(0)
	if got := seqs(p); len(got) != 3 || got[0] != 0 || got[2] != 2 || p.Next != 3 || p.Missed != 0 {
		t.Fatalf("Since(0) = %v next %d missed %d", got, p.Next, p.Missed)
	}
	if p := l.Since(3); len(p.Events) != 0 || p.Next != 3 {
		t.Fatalf("Since(next) = %+v", p)
	}
	for i := 0; i < 4; i++ { // seq 3..6: the ring holds 3..6, 0..2 are gone
		l.Append(Event{})
	}
	p = l.Since(1)
	if got := seqs(p); len(got) != 4 || got[0] != 3 || got[3] != 6 || p.Missed != 2 || p.Next != 7 {
		t.Fatalf("Since(1) after wrap = %v missed %d next %d", got, p.Missed, p.Next)
	}
	p = l.Since(5)
	if got := seqs(p); len(got) != 2 || got[0] != 5 || p.Missed != 0 {
		t.Fatalf("Since(5) = %v missed %d", got, p.Missed)
	}
	// A cursor from the future (a previous run's) reads from the oldest held.
	p = l.Since(100)
	if got := seqs(p); len(got) != 4 || got[0] != 3 || p.Next != 7 {
		t.Fatalf("Since(100) = %v next %d", got, p.Next)
	}
	if l.Cursor() != 7 {
		t.Fatalf("Cursor %d", l.Cursor())
	}
	if n := len(NewEventLog(0).ring); n != DefaultEventLogSize {
		t.Fatalf("default size %d", n)
	}
}

func TestEventLogWait(t *testing.T) {
	l := NewEventLog(8)
	l.Append(Event{})
	// Events already there: no wait.
	if p, err := l.Wait(context.Background(), 0); err != nil || len(p.Events) != 1 {
		t.Fatalf("Wait(0) = %+v, %v", p, err)
	}
	// A waiter wakes on the next append.
	got := make(chan EventPage)
	go func() {
		p, _ := l.Wait(context.Background(), 1)
		got <- p
	}()
	l.Append(Event{Detail: "woken"})
	if p := <-got; len(p.Events) != 1 || p.Events[0].Detail != "woken" || p.Next != 2 {
		t.Fatalf("woken with %+v", p)
	}
	// A canceled wait returns ctx's error and the (empty) page.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if p, err := l.Wait(ctx, 2); !errors.Is(err, context.Canceled) || len(p.Events) != 0 || p.Next != 2 {
		t.Fatalf("canceled Wait = %+v, %v", p, err)
	}
}
