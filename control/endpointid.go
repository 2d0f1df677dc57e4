package control

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
)

// EndpointIDPrefix starts every Gateway Load Balancer endpoint id.
const EndpointIDPrefix = "vpce-"

// EndpointIDDigits is the number of lower-case hex digits after the prefix.
const EndpointIDDigits = 17

// EndpointIDPattern matches an endpoint id: "vpce-" and 17 lower-case hex
// digits. ParseEndpointID also checks that the number fits 64 bits.
var EndpointIDPattern = regexp.MustCompile(`^vpce-[0-9a-f]{17}$`)

// ErrEndpointID is wrapped by every error of ParseEndpointID.
var ErrEndpointID = errors.New("not a gateway load balancer endpoint id")

// ParseEndpointID returns the number of endpoint id s: the 64-bit value GWLB
// carries in its Geneve option of type 1. The id is "vpce-" and 17
// lower-case hex digits, the first of which is 0 (64 bits are 16 digits);
// every id gwlbctl makes has that form. It does not allocate unless it
// fails.
func ParseEndpointID(s string) (uint64, error) {
	if len(s) != len(EndpointIDPrefix)+EndpointIDDigits || s[:len(EndpointIDPrefix)] != EndpointIDPrefix {
		return 0, fmt.Errorf("%w: %q: want vpce- followed by %d lower-case hex digits", ErrEndpointID, s, EndpointIDDigits)
	}
	var v uint64
	for i := len(EndpointIDPrefix); i < len(s); i++ {
		c := s[i]
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		default:
			return 0, fmt.Errorf("%w: %q: %q is not a lower-case hex digit", ErrEndpointID, s, c)
		}
		if i == len(EndpointIDPrefix) && d != 0 {
			return 0, fmt.Errorf("%w: %q: the number does not fit the 64 bits Geneve carries (the first of the %d digits must be 0)", ErrEndpointID, s, EndpointIDDigits)
		}
		v = v<<4 | uint64(d)
	}
	return v, nil
}

// FormatEndpointID is the endpoint id of number v: the inverse of
// ParseEndpointID.
func FormatEndpointID(v uint64) string {
	b := make([]byte, 0, len(EndpointIDPrefix)+EndpointIDDigits)
	b = append(b, EndpointIDPrefix...)
	hex := strconv.FormatUint(v, 16)
	for range EndpointIDDigits - len(hex) {
		b = append(b, '0')
	}
	return string(append(b, hex...))
}
