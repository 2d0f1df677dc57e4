package control

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// Defaults used when neither flag, environment nor config names a region or
// account. The account is AWS's documentation example account.
const (
	DefaultRegion  = "us-east-1"
	DefaultAccount = "123456789012"
)

// Env is what an operation needs besides its request: the region and account
// the caller acts in, a clock and a source of randomness for identifiers.
// Tests inject a fixed clock and a deterministic reader.
type Env struct {
	Region  string
	Account string
	Now     func() time.Time
	Rand    io.Reader
	// Nodes, when not nil, says which nodes are live: the nodes' recorded
	// views of target health are combined over the live ones
	// (RegisteredTarget.CombinedHealth).
	Nodes NodeLiveness
}

var (
	regionRe  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	accountRe = regexp.MustCompile(`^[0-9]{12}$`)
)

// Validate reports a malformed region or account id.
func (e Env) Validate() error {
	if !regionRe.MatchString(e.Region) {
		return fmt.Errorf("invalid region %q: want a region name such as %s (set --region or GWLBCTL_REGION)", e.Region, DefaultRegion)
	}
	if !accountRe.MatchString(e.Account) {
		return fmt.Errorf("invalid account id %q: want 12 digits such as %s (set --account or GWLBCTL_ACCOUNT)", e.Account, DefaultAccount)
	}
	return nil
}

// Principal is the IAM principal the caller acts as: the account root,
// arn:aws:iam::<account>:root. Deviation: gwlbctl has no IAM; the account
// stands for the caller.
func (e Env) Principal() string { return "arn:aws:iam::" + e.Account + ":root" }

func (e Env) now() time.Time {
	if e.Now != nil {
		return e.Now().UTC()
	}
	return time.Now().UTC()
}

// hexID returns n random lower-case hex digits.
func (e Env) hexID(n int) string {
	r := e.Rand
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, (n+1)/2)
	if _, err := io.ReadFull(r, b); err != nil {
		// Entropy failure is not a user error and cannot be recovered from.
		panic(fmt.Sprintf("control: reading random bytes: %v", err))
	}
	return hex.EncodeToString(b)[:n]
}

// arnPrefix is "arn:aws:<service>:<region>:<account>:".
func (e Env) arnPrefix(service string) string {
	return "arn:aws:" + service + ":" + e.Region + ":" + e.Account + ":"
}

// zoneID maps an availability-zone name to AWS's zone-id form
// (us-east-1a -> use1-az1). Deviation: AWS shuffles the letter->id mapping
// per account; gwlbctl maps a->az1, b->az2, ... for every account.
func zoneID(zone string) string {
	if len(zone) < 2 {
		return ""
	}
	region, letter := zone[:len(zone)-1], zone[len(zone)-1]
	parts := strings.Split(region, "-")
	if len(parts) < 3 {
		return ""
	}
	// AWS abbreviates the first part whole (us, eu, ap) and the direction to
	// one letter: us-east-1 -> use1, eu-central-1 -> euc1.
	abbr := parts[0]
	for _, p := range parts[1 : len(parts)-1] {
		abbr += p[:1]
	}
	abbr += parts[len(parts)-1]
	return fmt.Sprintf("%s-az%d", abbr, int(letter-'a')+1)
}

// Timestamp is a point in time that marshals the way the AWS CLI prints
// times: ISO 8601 with microseconds (omitted when zero) and a +00:00 offset.
type Timestamp struct{ time.Time }

const (
	awsTimeMicro = "2006-01-02T15:04:05.000000+00:00"
	awsTimeSec   = "2006-01-02T15:04:05+00:00"
)

// NewTimestamp truncates t to milliseconds, the precision AWS APIs return
// (the CLI then prints .123000), so a value also survives a JSON round trip
// unchanged.
func NewTimestamp(t time.Time) Timestamp { return Timestamp{t.UTC().Truncate(time.Millisecond)} }

func (t Timestamp) String() string {
	u := t.UTC()
	if u.Nanosecond()/1000 == 0 {
		return u.Format(awsTimeSec)
	}
	return u.Format(awsTimeMicro)
}

// MarshalJSON implements json.Marshaler.
func (t Timestamp) MarshalJSON() ([]byte, error) { return []byte(`"` + t.String() + `"`), nil }

// UnmarshalJSON accepts the form MarshalJSON writes and RFC 3339.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	for _, layout := range []string{awsTimeMicro, awsTimeSec, time.RFC3339Nano} {
		if v, err := time.Parse(layout, s); err == nil {
			t.Time = v.UTC()
			return nil
		}
	}
	return fmt.Errorf("invalid timestamp %q", s)
}

// UnmarshalText is the inverse of MarshalText.
func (t *Timestamp) UnmarshalText(b []byte) error { return t.UnmarshalJSON(b) }

// MarshalText lets YAML and text renderers print the AWS form too.
func (t Timestamp) MarshalText() ([]byte, error) { return []byte(t.String()), nil }
