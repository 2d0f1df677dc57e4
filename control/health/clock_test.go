package health

import (
	"slices"
	"sync"
	"testing"
	"time"
)

// fakeClock is a Clock that moves only when a test advances it. Advance
// calls due timers' functions synchronously, in time order, with Now at
// each timer's time; timers set by those functions fire too when due.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
	seq    int
}

type fakeTimer struct {
	c    *fakeClock
	when time.Time
	seq  int
	f    func()
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &fakeTimer{c: c, when: c.now.Add(d), seq: c.seq, f: f}
	c.timers = append(c.timers, t)
	return t
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	i := slices.Index(t.c.timers, t)
	if i < 0 {
		return false
	}
	t.c.timers = slices.Delete(t.c.timers, i, i+1)
	return true
}

// Advance moves the clock d forward, firing every timer due by then.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	for {
		i := -1
		for j, t := range c.timers {
			if !t.when.After(end) && (i < 0 || t.when.Before(c.timers[i].when) || (t.when.Equal(c.timers[i].when) && t.seq < c.timers[i].seq)) {
				i = j
			}
		}
		if i < 0 {
			c.now = end
			c.mu.Unlock()
			return
		}
		t := c.timers[i]
		c.timers = slices.Delete(c.timers, i, i+1)
		if t.when.After(c.now) {
			c.now = t.when
		}
		c.mu.Unlock()
		t.f()
		c.mu.Lock()
	}
}

// Pending returns the times of the timers not yet fired, in order.
func (c *fakeClock) Pending() []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []time.Time
	for _, t := range c.timers {
		out = append(out, t.when)
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

func TestFakeClock(t *testing.T) {
	c := newFakeClock()
	start := c.Now()
	var got []time.Duration
	c.AfterFunc(2*time.Second, func() {
		got = append(got, c.Now().Sub(start))
		c.AfterFunc(time.Second, func() { got = append(got, c.Now().Sub(start)) })
	})
	stopped := c.AfterFunc(time.Second, func() { got = append(got, -1) })
	c.AfterFunc(time.Second, func() { got = append(got, c.Now().Sub(start)) })
	if !stopped.Stop() || stopped.Stop() {
		t.Fatal("Stop: want true, then false")
	}
	c.Advance(3 * time.Second)
	want := []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}
	if !slices.Equal(got, want) {
		t.Fatalf("fired at %v, want %v", got, want)
	}
	if len(c.Pending()) != 0 || c.Now().Sub(start) != 3*time.Second {
		t.Fatalf("pending %v, now +%v", c.Pending(), c.Now().Sub(start))
	}
}
