package control

import (
	"fmt"
	"regexp"
	"time"
)

// NodeRegistration is what a serve node publishes about itself while it
// runs, on a lease of the shared store (store.Registry): the nodes of a
// load balancer see each other through it. The JSON is the store's value,
// the node API's GET /nodes and `gwlbctl nodes`.
type NodeRegistration struct {
	// NodeID names the node among the nodes of one store (node.id in the
	// node config; default: the host name).
	NodeID string `json:"node_id"`
	// LoadBalancer is the ARN of the gateway load balancer it serves.
	LoadBalancer string `json:"load_balancer"`
	// AvailabilityZone is the zone it stands in.
	AvailabilityZone string `json:"availability_zone"`
	// ApplianceAddress is its IPv4 address on the appliance network: the
	// Geneve source the appliances see.
	ApplianceAddress string `json:"appliance_address"`
	// StartedAt is when the node started.
	StartedAt time.Time `json:"started_at"`
	// Version is the gwlbctl build it runs.
	Version string `json:"version"`
	// APISocket is its node API's unix socket on Host ("" when off).
	APISocket string `json:"api_socket"`
	// Host and PID are the machine and the serve process.
	Host string `json:"host"`
	PID  int    `json:"pid"`
	// LeaseTTLSeconds is the registration's lease: this long after the
	// node stops renewing it (it died), the registration disappears.
	LeaseTTLSeconds int64 `json:"lease_ttl_seconds"`
}

// MaxNodeIDLength is the longest node id (a DNS label's length).
const MaxNodeIDLength = 63

var nodeIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// ValidateNodeID checks a node id: 1 to MaxNodeIDLength letters, digits,
// '.', '_' or '-', starting with a letter or digit (it is a key of the
// store, so no '/').
func ValidateNodeID(id string) error {
	if id == "" || len(id) > MaxNodeIDLength || !nodeIDPattern.MatchString(id) {
		return fmt.Errorf("node id %q: want 1 to %d letters, digits, '.', '_' or '-', starting with a letter or digit", id, MaxNodeIDLength)
	}
	return nil
}
