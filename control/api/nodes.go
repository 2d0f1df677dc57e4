package api

import (
	"context"
	"net/http"
	"net/url"

	"github.com/gwlbctl/gwlbctl/control"
)

// PathNodes lists the nodes of the node's load balancer.
const PathNodes = "/nodes"

// NodeList is GET /nodes: the nodes registered for the node's load
// balancer in its store, the node itself among them once it has
// registered.
type NodeList struct {
	// Registry is the store the nodes register in; empty when the node's
	// store has no registry (a state file): Nodes is then the node alone.
	Registry string `json:"registry"`
	// Registered says whether this node holds its registration now.
	Registered bool `json:"registered"`
	// Nodes are the registrations, by node id.
	Nodes []control.NodeRegistration `json:"nodes"`
}

// NodesBackend is implemented by a backend that knows its load balancer's
// nodes (fastpath/node does). For another, GET /nodes answers 404.
type NodesBackend interface {
	Nodes(ctx context.Context) (NodeList, error)
}

// routeNodes registers GET /nodes.
func (h *handler) routeNodes() {
	h.route(PathNodes, h.requests, nil, func(ctx context.Context, _ url.Values) (any, error) {
		nb, ok := h.b.(NodesBackend)
		if !ok {
			return nil, errorf(http.StatusNotFound, "%s: this backend does not list nodes", PathNodes)
		}
		l, err := nb.Nodes(ctx)
		l.Nodes = orEmpty(l.Nodes)
		return &l, err
	})
}

// Nodes is GET /nodes.
func (c *Client) Nodes(ctx context.Context) (*NodeList, error) {
	var v NodeList
	return &v, c.get(ctx, PathNodes, nil, &v)
}
