package packet

import "encoding/binary"

// Geneve and AWS Gateway Load Balancer constants (spec section 1).
const (
	// GenevePort is the IANA UDP port for Geneve (RFC 8926).
	GenevePort = 6081
	// GeneveBaseLen is the fixed Geneve header before the options.
	GeneveBaseLen = 8
	// GeneveMaxOptionsLen is the most option bytes the 6-bit length allows.
	GeneveMaxOptionsLen = 63 * 4
	// GeneveFlagOAM and GeneveFlagCritical are the O and C bits of byte 1
	// as stored in Geneve.Flags.
	GeneveFlagOAM      uint8 = 0x80
	GeneveFlagCritical uint8 = 0x40
	// GeneveOptionCritical is the critical bit of an option's type byte.
	GeneveOptionCritical uint8 = 0x80

	// AWSOptionClass is the Geneve option class GWLB uses.
	AWSOptionClass uint16 = 0x0108
	// AWS option types and their data lengths.
	AWSOptionEndpointID   uint8 = 1 // 8 bytes: the gateway load balancer endpoint id
	AWSOptionAttachmentID uint8 = 2 // 8 bytes: the attachment id
	AWSOptionFlowCookie   uint8 = 3 // 4 bytes: the flow cookie
	// AWSGeneveHeaderLen is the Geneve header GWLB sends: 8 base bytes
	// and the three options (12 + 12 + 8 bytes).
	AWSGeneveHeaderLen = 40
	// AWSOptionsLen is the option area of AWSGeneveHeaderLen.
	AWSOptionsLen = AWSGeneveHeaderLen - GeneveBaseLen
)

// Geneve header field offsets (RFC 8926 3.4) and, in the header GWLB
// writes (PutGeneveAWS), where each AWS option's value starts.
const (
	GeneveFlagsOffset        = 1 // O and C bits, 8 bits
	GeneveProtocolTypeOffset = 2 // 16 bits
	GeneveVNIOffset          = 4 // 24 bits, then a reserved byte
	// AWSEndpointIDOffset, AWSAttachmentIDOffset and AWSFlowCookieOffset
	// follow each option's 4-byte header (at 8, 20 and 32).
	AWSEndpointIDOffset   = GeneveBaseLen + 4          // 64 bits
	AWSAttachmentIDOffset = AWSEndpointIDOffset + 12   // 64 bits
	AWSFlowCookieOffset   = AWSAttachmentIDOffset + 12 // 32 bits
)

// Presence bits in Geneve.Present: which AWS options were found.
const (
	AWSEndpointIDPresent   uint8 = 1 << 0
	AWSAttachmentIDPresent uint8 = 1 << 1
	AWSFlowCookiePresent   uint8 = 1 << 2
	// AWSAllPresent: all three, as GWLB sends and requires back.
	AWSAllPresent = AWSEndpointIDPresent | AWSAttachmentIDPresent | AWSFlowCookiePresent
)

// The option headers (class, type, length in words) of the AWS options,
// as 32-bit big-endian words, in the order GWLB writes them.
const (
	awsEndpointIDOptHdr   = uint32(AWSOptionClass)<<16 | uint32(AWSOptionEndpointID)<<8 | 2
	awsAttachmentIDOptHdr = uint32(AWSOptionClass)<<16 | uint32(AWSOptionAttachmentID)<<8 | 2
	awsFlowCookieOptHdr   = uint32(AWSOptionClass)<<16 | uint32(AWSOptionFlowCookie)<<8 | 1
)

// Geneve is a parsed Geneve header (RFC 8926) with the AWS options
// extracted.
type Geneve struct {
	// Flags is byte 1 as received: GeneveFlagOAM, GeneveFlagCritical and
	// six reserved bits (kept so that parse -> build gives the same bytes).
	Flags uint8
	// ProtocolType is the EtherType of the payload: EtherTypeIPv4 or
	// EtherTypeIPv6 for GWLB (the payload is a bare IP packet).
	ProtocolType uint16
	// VNI is the 24-bit virtual network identifier (0 for GWLB).
	VNI uint32
	// Reserved is byte 7 as received.
	Reserved uint8
	// HeaderLen is 8 + the option bytes: the payload starts there.
	HeaderLen int
	// Options aliases the whole option area of the parsed buffer (known
	// and unknown options, in their order); PutGeneve writes it back.
	Options []byte

	// The AWS options, valid when their bit is set in Present.
	EndpointID   uint64
	AttachmentID uint64
	FlowCookie   uint32
	Present      uint8
	// UnknownOptions counts options other than the three AWS ones.
	UnknownOptions int
	// UnknownCritical is true when an unknown option has its critical bit
	// set; RFC 8926 says the packet must then be dropped.
	UnknownCritical bool
}

// HasAWSOptions reports whether the endpoint id, attachment id and flow
// cookie options were all found.
func (g *Geneve) HasAWSOptions() bool { return g.Present == AWSAllPresent }

// ParseGeneve reads the Geneve header at the start of b into g, finding the
// AWS options by class and type wherever they stand. It fails when the
// version is not 0, the header or an option runs past b or past the option
// area, or an AWS option repeats or has the wrong length.
func ParseGeneve(b []byte, g *Geneve) error {
	if err := parseGeneve(b, g); err != nil {
		*g = Geneve{}
		return err
	}
	return nil
}

func parseGeneve(b []byte, g *Geneve) error {
	if len(b) < GeneveBaseLen {
		return ErrTruncated
	}
	if b[0]>>6 != 0 {
		return ErrVersion
	}
	hl := GeneveBaseLen + int(b[0]&0x3f)*4
	if len(b) < hl {
		return ErrTruncated
	}
	opts := b[GeneveBaseLen:hl]
	// GWLB's own layout first: three option headers at fixed places.
	if len(opts) == AWSOptionsLen &&
		binary.BigEndian.Uint32(opts[0:4]) == awsEndpointIDOptHdr &&
		binary.BigEndian.Uint32(opts[12:16]) == awsAttachmentIDOptHdr &&
		binary.BigEndian.Uint32(opts[24:28]) == awsFlowCookieOptHdr {
		g.EndpointID = binary.BigEndian.Uint64(opts[4:12])
		g.AttachmentID = binary.BigEndian.Uint64(opts[16:24])
		g.FlowCookie = binary.BigEndian.Uint32(opts[28:32])
		g.Present = AWSAllPresent
		g.UnknownOptions = 0
		g.UnknownCritical = false
	} else if err := g.parseOptions(opts); err != nil {
		return err
	}
	g.Flags = b[1]
	g.ProtocolType = binary.BigEndian.Uint16(b[2:4])
	g.VNI = binary.BigEndian.Uint32(b[4:8]) >> 8
	g.Reserved = b[7]
	g.HeaderLen = hl
	g.Options = opts
	return nil
}

// parseOptions walks the option TLVs of opts.
func (g *Geneve) parseOptions(opts []byte) error {
	var present uint8
	var endpointID, attachmentID uint64
	var cookie uint32
	unknown, critical := 0, false
	for len(opts) > 0 {
		if len(opts) < 4 {
			return ErrGeneveOption
		}
		class := binary.BigEndian.Uint16(opts[0:2])
		typ := opts[2]
		l := 4 + int(opts[3]&0x1f)*4
		if l > len(opts) {
			return ErrGeneveOption
		}
		data := opts[4:l]
		var bit uint8
		if class == AWSOptionClass {
			switch typ {
			case AWSOptionEndpointID:
				bit = AWSEndpointIDPresent
				if len(data) != 8 {
					return ErrGeneveOption
				}
				endpointID = binary.BigEndian.Uint64(data)
			case AWSOptionAttachmentID:
				bit = AWSAttachmentIDPresent
				if len(data) != 8 {
					return ErrGeneveOption
				}
				attachmentID = binary.BigEndian.Uint64(data)
			case AWSOptionFlowCookie:
				bit = AWSFlowCookiePresent
				if len(data) != 4 {
					return ErrGeneveOption
				}
				cookie = binary.BigEndian.Uint32(data)
			}
		}
		if bit == 0 {
			unknown++
			if typ&GeneveOptionCritical != 0 {
				critical = true
			}
		} else if present&bit != 0 {
			return ErrGeneveOption
		}
		present |= bit
		opts = opts[l:]
	}
	g.EndpointID, g.AttachmentID, g.FlowCookie = endpointID, attachmentID, cookie
	g.Present, g.UnknownOptions, g.UnknownCritical = present, unknown, critical
	return nil
}

// PutGeneveAWS writes the 40-byte Geneve header GWLB sends (spec section 1):
// version 0, 8 option words, no flags, protocolType (EtherTypeIPv4 or
// EtherTypeIPv6), VNI 0, then the endpoint id, attachment id and flow cookie
// options in that order. It returns 40, or 0 if b is too short.
func PutGeneveAWS(b []byte, protocolType uint16, endpointID, attachmentID uint64, cookie uint32) int {
	if len(b) < AWSGeneveHeaderLen {
		return 0
	}
	_ = b[39]
	binary.BigEndian.PutUint32(b[0:4], uint32(AWSOptionsLen/4)<<24|uint32(protocolType))
	binary.BigEndian.PutUint32(b[4:8], 0)
	binary.BigEndian.PutUint32(b[AWSEndpointIDOffset-4:], awsEndpointIDOptHdr)
	binary.BigEndian.PutUint64(b[AWSEndpointIDOffset:], endpointID)
	binary.BigEndian.PutUint32(b[AWSAttachmentIDOffset-4:], awsAttachmentIDOptHdr)
	binary.BigEndian.PutUint64(b[AWSAttachmentIDOffset:], attachmentID)
	binary.BigEndian.PutUint32(b[AWSFlowCookieOffset-4:], awsFlowCookieOptHdr)
	binary.BigEndian.PutUint32(b[AWSFlowCookieOffset:], cookie)
	return AWSGeneveHeaderLen
}

// PutGeneve writes a Geneve header from g's base fields and its raw
// Options (as parsed, or composed with PutGeneveOption) at the start of b
// and returns its length, or 0 if b is too short or the options are not a
// multiple of 4 bytes or longer than 252. The AWS fields of g are not used:
// they are already in Options. The version written is 0.
func PutGeneve(b []byte, g *Geneve) int {
	n := GeneveBaseLen + len(g.Options)
	if len(g.Options)%4 != 0 || len(g.Options) > GeneveMaxOptionsLen || len(b) < n {
		return 0
	}
	b[0] = uint8(len(g.Options) / 4)
	b[1] = g.Flags
	binary.BigEndian.PutUint16(b[2:4], g.ProtocolType)
	binary.BigEndian.PutUint32(b[4:8], g.VNI<<8|uint32(g.Reserved))
	copy(b[8:n], g.Options)
	return n
}

// PutGeneveOption writes one option TLV (class, type, data) at the start of
// b and returns its length (4 + len(data)), or 0 if b is too short or data
// is not a multiple of 4 bytes or longer than 124.
func PutGeneveOption(b []byte, class uint16, typ uint8, data []byte) int {
	n := 4 + len(data)
	if len(data)%4 != 0 || len(data) > 31*4 || len(b) < n {
		return 0
	}
	binary.BigEndian.PutUint16(b[0:2], class)
	b[2] = typ
	b[3] = uint8(len(data) / 4)
	copy(b[4:n], data)
	return n
}
