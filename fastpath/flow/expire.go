package flow

import (
	"fmt"
	"time"
)

// Idle timeouts and their reclaim: lookups see a flow idle past its
// timeout as Expired at once; Expire sweeps the entries a budget at a time
// and reclaims them.

// Default and allowed idle timeouts (AWS: listener attribute
// tcp.idle_timeout.seconds, 60-6000 s, default 350 s; other protocols 120 s).
const (
	DefaultTCPIdleTimeout = 350 * time.Second
	MinTCPIdleTimeout     = 60 * time.Second
	MaxTCPIdleTimeout     = 6000 * time.Second
	OtherIdleTimeout      = 120 * time.Second
)

// CheckTCPIdleTimeout reports whether d is a valid TCP idle timeout
// (tcp.idle_timeout.seconds): whole seconds from 60 to 6000. It is the one
// check of the fast path; SetTCPIdleTimeout and the engine's snapshot use
// it.
func CheckTCPIdleTimeout(d time.Duration) error {
	if d < MinTCPIdleTimeout || d > MaxTCPIdleTimeout || d%time.Second != 0 {
		return fmt.Errorf("tcp idle timeout %v: must be whole seconds from %d to %d",
			d, MinTCPIdleTimeout/time.Second, MaxTCPIdleTimeout/time.Second)
	}
	return nil
}

// SetTCPIdleTimeout sets the idle timeout of TCP flows
// (tcp.idle_timeout.seconds, see CheckTCPIdleTimeout). It applies to
// existing flows too.
func (t *Table) SetTCPIdleTimeout(d time.Duration) error {
	if err := CheckTCPIdleTimeout(d); err != nil {
		return fmt.Errorf("flow: %w", err)
	}
	t.timeout[ClassTCP] = uint32(d / time.Second)
	return nil
}

// Timeout returns the idle timeout of class c.
func (t *Table) Timeout(c TimeoutClass) time.Duration {
	return time.Duration(t.timeout[c%numClasses]) * time.Second
}

func (t *Table) expired(e *Entry, now uint32) bool {
	return now-e.LastSeen > t.timeout[e.Class%numClasses] && int32(now-e.LastSeen) > 0
}

// fullReclaimBudget is how many entries an Insert into a full table
// examines for expired flows before giving up.
const fullReclaimBudget = 256

// Expire examines at most budget entries, continuing where the previous
// call stopped, and reclaims those idle past their timeout at time now. It
// returns the number reclaimed. Call it once per burst or poll pass (idle
// passes too). A full sweep takes Cap()/budget calls: choose budget so it
// completes well within the shortest timeout (60 s), e.g. 64 per pass.
func (t *Table) Expire(now int64, budget int) int {
	if t.used == 0 {
		return 0
	}
	if budget > int(t.used) {
		budget = int(t.used) // examine each entry at most once per call
	}
	sec := Seconds(now)
	n := 0
	var refs [expireBatch]Ref
	var hashes [expireBatch]uint64
	for budget > 0 {
		// Stage 1: find expired entries (sequential) and touch their index
		// slots (random) so the misses overlap; stage 2: unlink them.
		k := 0
		var x uint32
		for ; budget > 0 && k < expireBatch; budget-- {
			if t.cursor >= t.used {
				t.cursor = 0
			}
			r := Ref(t.cursor)
			t.cursor++
			e := &t.entries[r]
			if e.Live() && t.expired(e, sec) {
				h := t.hasher.Hash(&e.Key)
				x += t.slots[uint32(h)&t.mask]
				refs[k], hashes[k] = r, h
				k++
			}
		}
		// Stage 2 (tables beyond the caches): with the slots cached, touch
		// the entries that follow each victim in its probe run, whose keys
		// backward-shift deletion hashes.
		for j := 0; j < k && t.big; j++ {
			want := uint32(refs[j] + 1)
			i := uint32(hashes[j]) & t.mask
			for n := 0; n < 64 && t.slots[i]&refMask != want; n++ {
				i = (i + 1) & t.mask
			}
			for n := 0; n < 3; n++ {
				i = (i + 1) & t.mask
				s := t.slots[i]
				if s == 0 {
					break
				}
				x += uint32(t.entries[s&refMask-1].Key.Endpoint)
			}
		}
		t.sink += x
		for j := 0; j < k; j++ {
			t.unlink(refs[j], &t.entries[refs[j]], hashes[j])
		}
		n += k
	}
	t.stats.Expired += uint64(n)
	return n
}

// expireBatch is how many expired entries Expire unlinks per stage.
const expireBatch = 16
