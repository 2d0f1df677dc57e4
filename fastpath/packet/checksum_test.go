package packet

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

func TestChecksumRFC1071Example(t *testing.T) {
	// RFC 1071 section 3: the sum of these bytes is ddf2 (the example's
	// 16-bit folded sum), so the checksum is its complement 220d.
	b := []byte{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7}
	if got := Sum(b, 0); got != 0xddf2 {
		t.Fatalf("Sum = %#04x, want 0xddf2", got)
	}
	if got := Checksum(b); got != 0x220d {
		t.Fatalf("Checksum = %#04x, want 0x220d", got)
	}
}

func TestSumMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 2100)
	for i := range buf {
		buf[i] = byte(r.Uint32())
	}
	// Every length up to 300 and some long ones, at odd and even starts,
	// plus all-0xff data that maximises carries.
	ff := make([]byte, 2100)
	for i := range ff {
		ff[i] = 0xff
	}
	for _, data := range [][]byte{buf, ff} {
		for start := 0; start < 3; start++ {
			for n := 0; n <= 300; n++ {
				b := data[start : start+n]
				if got, want := uint16(Sum(b, 0)), naiveSum(b); got != want && !(got == 0xffff && want == 0) && !(got == 0 && want == 0xffff) {
					t.Fatalf("len %d start %d: Sum %#04x, reference %#04x", n, start, got, want)
				}
			}
			for _, n := range []int{1499, 1500, 2048, 2097} {
				b := data[start : start+n]
				if got, want := Checksum(b), ^naiveSum(b); got != want && !(got == 0 && want == 0xffff) && !(got == 0xffff && want == 0) {
					t.Fatalf("len %d: Checksum %#04x, reference %#04x", n, got, want)
				}
			}
		}
	}
}

func TestSumChains(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	b := make([]byte, 1001)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	whole := Checksum(b)
	for cut := 0; cut <= len(b); cut += 2 {
		if got := Fold(Sum(b[cut:], Sum(b[:cut], 0))); got != whole {
			t.Fatalf("cut at %d: %#04x, whole %#04x", cut, got, whole)
		}
	}
}

func TestIPv4HeaderChecksumKnownHeader(t *testing.T) {
	// A widely published example header (192.168.0.1 -> 192.168.0.199,
	// UDP, DF) whose checksum is b861.
	h := mustHex(t, "4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7")
	if got := IPv4HeaderChecksum(h); got != 0xb861 {
		t.Fatalf("IPv4HeaderChecksum = %#04x, want 0xb861", got)
	}
	if !VerifyIPv4HeaderChecksum(h) {
		t.Fatal("VerifyIPv4HeaderChecksum = false on a correct header")
	}
	h[11] ^= 1
	if VerifyIPv4HeaderChecksum(h) {
		t.Fatal("VerifyIPv4HeaderChecksum = true on a corrupted header")
	}
	if IPv4HeaderChecksum(h[:19]) != 0 || VerifyIPv4HeaderChecksum(h[:19]) {
		t.Fatal("short header must not checksum")
	}
}

func TestUpdateChecksumMatchesRecompute(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	h := make([]byte, 20)
	for i := 0; i < 10000; i++ {
		for j := range h {
			h[j] = byte(r.Uint32())
		}
		h[0] = 0x45
		binary.BigEndian.PutUint16(h[10:12], IPv4HeaderChecksum(h))
		hc := binary.BigEndian.Uint16(h[10:12])
		// 16-bit field: TTL/protocol word.
		old16 := binary.BigEndian.Uint16(h[8:10])
		new16 := uint16(r.Uint32())
		binary.BigEndian.PutUint16(h[8:10], new16)
		inc := UpdateChecksum16(hc, old16, new16)
		if full := IPv4HeaderChecksum(h); !sameChecksum(inc, full) {
			t.Fatalf("16-bit update: incremental %#04x, recomputed %#04x", inc, full)
		}
		binary.BigEndian.PutUint16(h[10:12], inc)
		// 32-bit field: the source address.
		old32 := binary.BigEndian.Uint32(h[12:16])
		new32 := r.Uint32()
		binary.BigEndian.PutUint32(h[12:16], new32)
		inc = UpdateChecksum32(inc, old32, new32)
		if full := IPv4HeaderChecksum(h); !sameChecksum(inc, full) {
			t.Fatalf("32-bit update: incremental %#04x, recomputed %#04x", inc, full)
		}
		binary.BigEndian.PutUint16(h[10:12], inc)
		if !VerifyIPv4HeaderChecksum(h) {
			t.Fatal("header with incrementally updated checksum does not verify")
		}
	}
}

// sameChecksum treats 0x0000 and 0xffff as equal: both are one's-complement
// zero and RFC 1624 notes the incremental form may yield either.
func sameChecksum(a, b uint16) bool {
	return a == b || (a == 0 && b == 0xffff) || (a == 0xffff && b == 0)
}

func TestDecrementTTL(t *testing.T) {
	h := mustHex(t, "4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7")
	if !DecrementTTL(h) {
		t.Fatal("DecrementTTL refused TTL 64")
	}
	if h[8] != 63 || !VerifyIPv4HeaderChecksum(h) {
		t.Fatalf("TTL %d, checksum ok %v", h[8], VerifyIPv4HeaderChecksum(h))
	}
	h[8] = 1
	binary.BigEndian.PutUint16(h[10:12], IPv4HeaderChecksum(h))
	before := string(h)
	if DecrementTTL(h) || string(h) != before {
		t.Fatal("DecrementTTL must refuse TTL 1 and leave the header alone")
	}
	if DecrementTTL(h[:10]) {
		t.Fatal("DecrementTTL on a short header")
	}
	v6 := make([]byte, 40)
	v6[0], v6[7] = 0x60, 2
	if !DecrementHopLimit(v6) || v6[7] != 1 || DecrementHopLimit(v6) {
		t.Fatal("DecrementHopLimit")
	}
}
