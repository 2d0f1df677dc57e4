package tui

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/gwlbctl/gwlbctl/control/api"
)

// Numbers are shown with SI prefixes in at most five cells (999, 1.2k,
// 12.3k, 123k, 1.2M, ...) so columns keep their width whatever the
// magnitude (tuitest.ParseSI reads them back from a screen).
var siPrefixes = []string{"", "k", "M", "G", "T", "P", "E"}

// SI formats v with an SI prefix.
func SI(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "?"
	}
	neg := v < 0
	v = math.Abs(v)
	i := 0
	var s string
	for {
		switch {
		case i == 0 || v >= 99.95:
			s = strconv.FormatFloat(v, 'f', 0, 64)
		default:
			s = strconv.FormatFloat(v, 'f', 1, 64)
		}
		// Rounding up may reach 1000: then the next prefix.
		if n, _ := strconv.ParseFloat(s, 64); n < 1000 || i == len(siPrefixes)-1 {
			break
		}
		v /= 1000
		i++
	}
	if neg {
		s = "-" + s
	}
	return s + siPrefixes[i]
}

// Count is a counter in SI form.
func Count(n uint64) string { return SI(float64(n)) }

// Bytes is a byte count: SI form and B.
func Bytes(n uint64) string { return SI(float64(n)) + "B" }

// BitRate is a bit rate: 12.3Mb/s.
func BitRate(bps float64) string { return SI(bps) + "b/s" }

// PacketRate is a packet rate: 1.2kp/s.
func PacketRate(pps float64) string { return SI(pps) + "p/s" }

// Grouped is n with thousands separators (detail views, where there is
// room for exact counts).
func Grouped(n uint64) string {
	s := strconv.FormatUint(n, 10)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	lead := len(s) % 3
	if lead > 0 {
		b.WriteString(s[:lead])
	}
	for i := lead; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// Duration is a span in at most two units: 0s, 59s, 1m05s, 1h02m, 3d04h.
func Duration(seconds float64) string {
	if seconds < 0 || math.IsNaN(seconds) {
		return "0s"
	}
	s := int64(seconds)
	switch {
	case s < 60:
		return strconv.FormatInt(s, 10) + "s"
	case s < 3600:
		return strconv.FormatInt(s/60, 10) + "m" + pad2(s%60) + "s"
	case s < 86400:
		return strconv.FormatInt(s/3600, 10) + "h" + pad2(s/60%60) + "m"
	default:
		return strconv.FormatInt(s/86400, 10) + "d" + pad2(s/3600%24) + "h"
	}
}

func pad2(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// since is how long ago t was at now ("" for a zero t).
func since(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	return Duration(now.Sub(t).Seconds())
}

// fit pads or truncates s (which may hold ANSI styles) to exactly w cells,
// left-aligned; a truncated s ends with an ellipsis.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	n := ansi.StringWidth(s)
	if n > w {
		return ansi.Truncate(s, w, "…")
	}
	return s + strings.Repeat(" ", w-n)
}

// fitRight is fit, right-aligned.
func fitRight(s string, w int) string {
	if w <= 0 {
		return ""
	}
	n := ansi.StringWidth(s)
	if n > w {
		return ansi.Truncate(s, w, "…")
	}
	return strings.Repeat(" ", w-n) + s
}

// width is s's width in cells.
func width(s string) int { return ansi.StringWidth(s) }

// shortARN is the name part of a load balancer or target group ARN
// (".../gwy/my-gwlb/0123456789abcdef" -> "my-gwlb"), or s itself.
func shortARN(s string) string {
	_, res, ok := strings.Cut(s, ":loadbalancer/")
	if !ok {
		_, res, ok = strings.Cut(s, ":targetgroup/")
	}
	if !ok {
		return s
	}
	parts := strings.Split(res, "/")
	if len(parts) >= 3 {
		return parts[len(parts)-2]
	}
	return parts[0]
}

// protoNames are the protocols' names as the filter syntax spells them
// (control/api owns the names; 0, a 2-tuple flow of any protocol, is "ip").
var protoNames = func() (t [256]string) {
	for p := range t {
		f := api.FlowFilter{Protos: []uint8{uint8(p)}}
		t[p] = strings.TrimPrefix(f.String(), api.FilterProto+"=")
	}
	t[0] = "ip"
	return t
}()

func protoName(p uint8) string { return protoNames[p] }
