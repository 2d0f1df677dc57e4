//go:build !linux

package flow

func (t *Table) alloc(nslots, capacity int, goHeap bool) error {
	t.slots = make([]uint32, nslots)
	t.entries = make([]Entry, capacity)
	t.free = make([]uint32, capacity)
	return nil
}
