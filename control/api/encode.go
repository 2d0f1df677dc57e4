package api

import (
	"math"
	"net/netip"
	"strconv"
	"unicode/utf8"
	"unsafe"
)

// The flows page is the one large response, so it has its own encoder: it
// appends exactly what encoding/json's Marshal would produce for a
// FlowPage (the tests compare the bytes), without reflection and without
// allocating per flow.

// appendFlowPage appends p's JSON encoding to b. It fills in each flow's
// mean rates first.
func appendFlowPage(b []byte, p *FlowPage) []byte {
	b = appendFlowPageHead(b, p)
	for i := range p.Flows {
		b = appendFlowPageItem(b, p, i)
	}
	return appendFlowPageTail(b, p)
}

// appendFlowPageHead, appendFlowPageItem (for each flow in order) and
// appendFlowPageTail append appendFlowPage's encoding in parts, for a
// writer that sends a large page as it encodes it.
func appendFlowPageHead(b []byte, p *FlowPage) []byte {
	b = append(b, `{"flows":`...)
	if p.Flows == nil {
		return append(b, "null"...)
	}
	return append(b, '[')
}

func appendFlowPageItem(b []byte, p *FlowPage, i int) []byte {
	if i > 0 {
		b = append(b, ',')
	}
	return appendFlow(b, &p.Flows[i])
}

func appendFlowPageTail(b []byte, p *FlowPage) []byte {
	if p.Flows != nil {
		b = append(b, ']')
	}
	if p.NextCursor != "" {
		b = append(b, `,"next_cursor":`...)
		b = appendString(b, p.NextCursor)
	}
	if p.Sort != "" {
		b = append(b, `,"sort":`...)
		b = appendString(b, p.Sort)
	}
	if p.Filter != "" {
		b = append(b, `,"filter":`...)
		b = appendString(b, p.Filter)
	}
	b = append(b, `,"limit":`...)
	b = strconv.AppendInt(b, int64(p.Limit), 10)
	if p.LimitClamped {
		b = append(b, `,"limit_clamped":true`...)
	}
	if p.RequestedLimit != 0 {
		b = append(b, `,"requested_limit":`...)
		b = strconv.AppendInt(b, int64(p.RequestedLimit), 10)
	}
	if p.Partial {
		b = append(b, `,"partial":true`...)
	}
	return append(b, '}')
}

func appendFlow(b []byte, f *Flow) []byte {
	b = append(b, `{"worker":`...)
	b = strconv.AppendInt(b, int64(f.Worker), 10)
	b = append(b, `,"endpoint":`...)
	b = appendString(b, f.Endpoint)
	b = append(b, `,"proto":`...)
	b = strconv.AppendUint(b, uint64(f.Proto), 10)
	b = append(b, `,"tuple":`...)
	b = strconv.AppendUint(b, uint64(f.Tuple), 10)
	b = append(b, `,"src":`...)
	b = appendAddrPort(b, f.Src)
	b = append(b, `,"dst":`...)
	b = appendAddrPort(b, f.Dst)
	b = append(b, `,"target":`...)
	b = appendString(b, f.Target)
	b = append(b, `,"target_index":`...)
	b = strconv.AppendInt(b, int64(f.TargetIndex), 10)
	b = append(b, `,"target_ip":`...)
	b = appendAddr(b, f.TargetIP)
	b = append(b, `,"cookie":`...)
	b = strconv.AppendUint(b, uint64(f.Cookie), 10)
	b = append(b, `,"packets":[`...)
	b = strconv.AppendUint(b, f.Packets[0], 10)
	b = append(b, ',')
	b = strconv.AppendUint(b, f.Packets[1], 10)
	b = append(b, `],"bytes":[`...)
	b = strconv.AppendUint(b, f.Bytes[0], 10)
	b = append(b, ',')
	b = strconv.AppendUint(b, f.Bytes[1], 10)
	b = append(b, `],"age_seconds":`...)
	b = appendFloat(b, f.AgeSeconds)
	b = append(b, `,"idle_seconds":`...)
	b = appendFloat(b, f.IdleSeconds)
	b = append(b, `,"pps":`...)
	b = appendFloat(b, f.PPS)
	b = append(b, `,"bps":`...)
	b = appendFloat(b, f.BPS)
	return append(b, '}')
}

func appendAddrPort(b []byte, a netip.AddrPort) []byte {
	var tmp [64]byte
	t, _ := a.AppendText(tmp[:0])
	return appendStringBytes(b, t)
}

func appendAddr(b []byte, a netip.Addr) []byte {
	var tmp [64]byte
	t, _ := a.AppendText(tmp[:0])
	return appendStringBytes(b, t)
}

// appendFloat formats as encoding/json does (ES6 number form); NaN and
// infinities, which JSON cannot carry, become 0.
func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		f = 0
	}
	abs := math.Abs(f)
	if abs < 1<<53 && f == math.Trunc(f) && !math.Signbit(f) {
		return strconv.AppendInt(b, int64(f), 10) // ages, idle times: whole seconds
	}
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

func appendStringBytes(b, s []byte) []byte {
	if len(s) == 0 {
		return append(b, '"', '"')
	}
	// s is not kept past the call.
	return appendString(b, unsafe.String(&s[0], len(s)))
}

const hexDigits = "0123456789abcdef"

// plain marks the ASCII bytes a JSON string carries as they are.
var plain = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendString quotes s as encoding/json does with HTML escaping on:
// control characters, <, > and &, U+2028 and U+2029 as \u00XX / \u20XX,
// invalid UTF-8 as U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if plain[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
