package api

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/fnv"
	"strings"
)

// A cursor is the opaque text form of a FlowCursor, bound to the node's
// run and to the filter it was issued for:
//
//	version(1) | run(8, StartedAt in ns) | filter(8, FNV-64a of the
//	canonical filter) | worker(uvarint) | slot(uvarint) | check(4, FNV-32a
//	of the bytes before it)
//
// in unpadded base64url.
const cursorVersion = 1

var (
	errCursorForeign = errors.New("cursor: not one this node issued (it is damaged or from another program); start again without cursor")
	errCursorRun     = errors.New("cursor: issued by an earlier run of the node (it restarted); start again without cursor")
	errCursorFilter  = errors.New("cursor: issued for another filter; keep the filter of the first page or start again without cursor")
)

func filterHash(f *FlowFilter) uint64 {
	h := fnv.New64a()
	h.Write([]byte(f.String()))
	return h.Sum64()
}

func encodeCursor(run int64, filter uint64, c FlowCursor) string {
	b := make([]byte, 0, 1+8+8+2*binary.MaxVarintLen64+4)
	b = append(b, cursorVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(run))
	b = binary.BigEndian.AppendUint64(b, filter)
	b = binary.AppendUvarint(b, uint64(c.Worker))
	b = binary.AppendUvarint(b, c.Slot)
	h := fnv.New32a()
	h.Write(b)
	b = h.Sum(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string, run int64, filter uint64) (FlowCursor, error) {
	// Go's base64 decoder skips \r and \n, and without Strict it takes
	// non-zero bits after the last byte ("...TF1" decoded as "...TF0"): a
	// cursor is refused unless it is exactly the text encodeCursor writes.
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || strings.ContainsAny(s, "\r\n") || len(b) < 1+8+8+1+1+4 || b[0] != cursorVersion {
		return FlowCursor{}, errCursorForeign
	}
	body, check := b[:len(b)-4], b[len(b)-4:]
	h := fnv.New32a()
	h.Write(body)
	if binary.BigEndian.Uint32(check) != h.Sum32() {
		return FlowCursor{}, errCursorForeign
	}
	gotRun := int64(binary.BigEndian.Uint64(body[1:]))
	gotFilter := binary.BigEndian.Uint64(body[9:])
	rest := body[17:]
	w, n := binary.Uvarint(rest)
	if n <= 0 || w > 1<<16 {
		return FlowCursor{}, errCursorForeign
	}
	slot, m := binary.Uvarint(rest[n:])
	if m <= 0 || n+m != len(rest) {
		return FlowCursor{}, errCursorForeign
	}
	if gotRun != run {
		return FlowCursor{}, errCursorRun
	}
	if gotFilter != filter {
		return FlowCursor{}, errCursorFilter
	}
	return FlowCursor{Worker: int(w), Slot: slot}, nil
}
