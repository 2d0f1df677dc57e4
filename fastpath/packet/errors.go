package packet

import "errors"

// Sentinel errors returned by the parsers. They are package-level values so
// returning one never allocates; match them with errors.Is.
var (
	// ErrTruncated: the buffer ends before the header (or a length it
	// announces) does.
	ErrTruncated = errors.New("packet: truncated")
	// ErrVersion: IP or Geneve version field is not the one expected.
	ErrVersion = errors.New("packet: unsupported version")
	// ErrHeaderLength: a header length field is smaller than the fixed
	// header or inconsistent with the total length.
	ErrHeaderLength = errors.New("packet: bad header length")
	// ErrChecksum: a verified checksum does not match.
	ErrChecksum = errors.New("packet: bad checksum")
	// ErrNotIP: the EtherType or protocol type is neither IPv4 nor IPv6.
	ErrNotIP = errors.New("packet: not IPv4 or IPv6")
	// ErrUnsupported: a well-formed header this package does not handle
	// (IPv6 jumbograms, ARP for other than Ethernet/IPv4, ...).
	ErrUnsupported = errors.New("packet: unsupported header")
	// ErrExtensionHeaders: the IPv6 extension header chain is too long or
	// malformed (for example a fragment header that is not the only one).
	ErrExtensionHeaders = errors.New("packet: bad IPv6 extension header chain")
	// ErrFragment: fragment fields are inconsistent (for example a first
	// fragment too short to hold the transport ports).
	ErrFragment = errors.New("packet: bad fragment")
	// ErrGeneveOption: a Geneve option runs past the option area, or an AWS
	// option is repeated or has the wrong length.
	ErrGeneveOption = errors.New("packet: bad Geneve option")
	// ErrNotGeneve: the outer packet is not IPv4/UDP to port 6081.
	ErrNotGeneve = errors.New("packet: not Geneve over IPv4/UDP port 6081")
)
