package tuitest

import (
	"math"
	"strconv"
	"strings"
)

// siPrefixes are the prefixes tui.SI writes (a round-trip test in package
// tui keeps the two in step).
var siPrefixes = []string{"", "k", "M", "G", "T", "P", "E"}

// ParseSI reads a number tui.SI wrote (unit suffixes after the prefix, such as
// "b/s" or "B", are ignored; thousands separators are allowed).
func ParseSI(s string) (float64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || s[end] == '.' || s[end] == '-') {
		end++
	}
	v, err := strconv.ParseFloat(s[:end], 64)
	if err != nil {
		return 0, false
	}
	rest := s[end:]
	for i := len(siPrefixes) - 1; i > 0; i-- {
		if strings.HasPrefix(rest, siPrefixes[i]) {
			return v * math.Pow(1000, float64(i)), true
		}
	}
	return v, true
}

// ParseDuration reads a span tui.Duration wrote, in seconds.
func ParseDuration(s string) (float64, bool) {
	var total, n int64
	digits := false
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			n = n*10 + int64(c-'0')
			digits = true
			continue
		case c == 'd':
			total += n * 86400
		case c == 'h':
			total += n * 3600
		case c == 'm':
			total += n * 60
		case c == 's':
			total += n
		default:
			return 0, false
		}
		if !digits {
			return 0, false
		}
		n, digits = 0, false
	}
	if digits {
		return 0, false
	}
	return float64(total), s != ""
}
