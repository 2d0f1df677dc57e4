package flow

import "unsafe"

// The state of one flow, as the table stores it.

// TimeoutClass selects a flow's idle timeout.
type TimeoutClass uint8

const (
	// ClassTCP uses the listener's TCP idle timeout.
	ClassTCP TimeoutClass = iota
	// ClassOther uses the fixed 120 s timeout.
	ClassOther
	numClasses
)

// Direction is a packet's direction within its flow.
type Direction uint8

const (
	// Original: from the flow's initiator (the end that sent the first packet).
	Original Direction = 0
	// Reply: towards the initiator.
	Reply Direction = 1
)

const (
	flagInitiatorHi = 1 << 0 // the initiator is the key's Hi end
	flagTagged      = 1 << 1 // VLAN holds an 802.1Q TCI
)

// genLive marks a live entry in Entry.gen.
const genLive = 1 << 15

// Entry is the state of one flow. It holds no pointers. Fields indexed by
// Direction are [Original, Reply].
type Entry struct {
	// Lookups, cookie checks and the expiry sweep read the first 64
	// bytes only: the key, last-seen, flags, timeout class, target, both
	// ingress ports and the generation.
	Key      Key
	LastSeen uint32 // seconds of the engine clock (see Seconds)
	flags    uint8
	Class    TimeoutClass
	Target   uint16    // index of the flow's target in the balance set
	InPort   [2]uint16 // port index each direction entered on
	// gen is genLive (while the entry holds a flow) | the generation its
	// cookie carries. It outlives the flow: the next Insert into the
	// entry bumps it, so the freed flow's cookies no longer match.
	gen     uint16
	vlan    uint16 // the initiator's 802.1Q TCI (see VLAN)
	Packets [2]uint64
	Bytes   [2]uint64
	// EthDst and EthSrc are the Ethernet addresses of the initiator's
	// frames, restored after decapsulation; Reply frames use them swapped.
	EthDst, EthSrc [6]byte
	Created        uint32 // seconds of the engine clock
}

// EntrySize is the size of an Entry in bytes.
const EntrySize = int(unsafe.Sizeof(Entry{}))

// Initiator returns the orientation of the flow's initiator.
func (e *Entry) Initiator() Orientation {
	if e.flags&flagInitiatorHi != 0 {
		return HiToLo
	}
	return LoToHi
}

// SetInitiator records the orientation of the flow's first packet.
func (e *Entry) SetInitiator(o Orientation) {
	if o == HiToLo {
		e.flags |= flagInitiatorHi
	} else {
		e.flags &^= flagInitiatorHi
	}
}

// Dir returns the direction of a packet with orientation o.
func (e *Entry) Dir(o Orientation) Direction {
	if o == e.Initiator() {
		return Original
	}
	return Reply
}

// VLAN returns the 802.1Q tag control information of the initiator's
// frames, and whether they were tagged.
func (e *Entry) VLAN() (tci uint16, tagged bool) {
	return e.vlan, e.flags&flagTagged != 0
}

// SetVLAN records the initiator's 802.1Q tag (tagged=false: untagged).
func (e *Entry) SetVLAN(tci uint16, tagged bool) {
	e.vlan = tci
	if tagged {
		e.flags |= flagTagged
	} else {
		e.flags &^= flagTagged
	}
}

// Live reports whether the entry holds a flow.
func (e *Entry) Live() bool { return e.gen&genLive != 0 }

// Touch counts a packet of length bytes in direction d and refreshes the
// last-seen time.
func (e *Entry) Touch(d Direction, bytes int, now int64) {
	e.Packets[d&1]++
	e.Bytes[d&1] += uint64(bytes)
	e.LastSeen = Seconds(now)
}

// Seconds converts the engine's monotonic nanoseconds to the coarse clock
// entries keep.
func Seconds(now int64) uint32 { return uint32(uint64(now) / 1e9) }
