package api

// DefaultSocket is the API socket's conventional path: the api.socket of
// configs/node.yaml, and where `gwlbctl top` looks when told no other.
const DefaultSocket = "/run/gwlbctl/serve.sock"
